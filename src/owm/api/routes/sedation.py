"""Sedation: a POSS or RASS level."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import SedationIn, SedationOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.observations import record_sedation
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/sedation", tags=["sedation"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SedationOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: SedationIn, response: Response, uow: UowDep, actor: CurrentUser
) -> SedationOut:
    """Sedation: a POSS or RASS level."""
    result = record_sedation(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return SedationOut.model_validate(result)
