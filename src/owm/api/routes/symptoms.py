"""Symptoms (target symptoms of the clonazepam course and others)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import SymptomIn, SymptomOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.permissions import Permission
from owm.service.symptoms import record_symptom

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/symptoms", tags=["symptoms"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SymptomOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: SymptomIn, response: Response, uow: UowDep, actor: CurrentUser
) -> SymptomOut:
    """Symptoms (target symptoms of the clonazepam course and others)."""
    result = record_symptom(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return SymptomOut.model_validate(result)
