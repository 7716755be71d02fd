"""Discharge: the referrals (MOUD, naloxone, psychotherapy) and the taper plan if needed."""

from __future__ import annotations

from fastapi import APIRouter, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.governance import DischargeIn, DischargeOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import discharge as discharging
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/discharge", tags=["discharge"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DischargeOut,
    dependencies=[requires(Permission.DISCHARGE)],
)
def discharge(
    episode_id: RecordId, body: DischargeIn, uow: UowDep, actor: CurrentUser
) -> DischargeOut:
    """Discharge the episode (409 when it already was)."""
    return DischargeOut.model_validate(
        discharging.discharge(uow, actor, episode_id=episode_id, **body.model_dump())
    )
