"""Holds: the nurse holds the dose, with a reason; the findings shown then are kept with it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.dosing import HoldIn, HoldResultOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import dosing
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/holds", tags=["administrations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=HoldResultOut,
    responses=CREATED,
    dependencies=[requires(Permission.HOLD_DOSE)],
)
def hold(
    episode_id: RecordId, body: HoldIn, response: Response, uow: UowDep, actor: CurrentUser
) -> HoldResultOut:
    """Hold the dose with a reason (always allowed)."""
    result = dosing.hold_dose(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.hold.replayed)
    return HoldResultOut.model_validate(result)
