"""Alcohol: the last drink (as reported) and/or a breath alcohol reading."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import AlcoholIn, AlcoholOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.alcohol import record_alcohol
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/alcohol", tags=["alcohol"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AlcoholOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: AlcoholIn, response: Response, uow: UowDep, actor: CurrentUser
) -> AlcoholOut:
    """Alcohol: the last drink (as reported) and/or a breath alcohol reading."""
    result = record_alcohol(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return AlcoholOut.model_validate(result)
