"""Vital signs (NEWS2 is computed from a complete set)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import VitalSignsIn, VitalSignsOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.observations import record_vitals
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/vitals", tags=["vitals"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=VitalSignsOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: VitalSignsIn, response: Response, uow: UowDep, actor: CurrentUser
) -> VitalSignsOut:
    """Vital signs (NEWS2 is computed from a complete set)."""
    result = record_vitals(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return VitalSignsOut.model_validate(result)
