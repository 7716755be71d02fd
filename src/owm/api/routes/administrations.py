"""Administrations: give clonazepam through the dosing guard, or record another medicine.

`POST .../administrations/give` re-evaluates the protocol inside the same
transaction, serialised per patient, and records the dose only if the protocol
allows it at the time given: otherwise 409 with the findings. The idempotency key
is required: the same key again answers with the dose already recorded (200,
`replayed: true`), so a nurse pressing the button twice, or a client retrying
after a lost answer, never records two doses.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.dosing import (
    AdministrationIn,
    AdministrationOut,
    DoseOut,
    DoseRefusedOut,
    GiveIn,
)
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import dosing
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/administrations", tags=["administrations"])


@router.post(
    "/give",
    status_code=status.HTTP_201_CREATED,
    response_model=DoseOut,
    responses={
        **CREATED,
        409: {"model": DoseRefusedOut, "description": "The protocol does not allow this dose now."},
    },
    dependencies=[requires(Permission.GIVE_DOSE)],
)
def give(
    episode_id: RecordId, body: GiveIn, response: Response, uow: UowDep, actor: CurrentUser
) -> DoseOut:
    """Give a clonazepam dose, if and only if the protocol allows it now (else 409)."""
    result = dosing.give_dose(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return DoseOut.model_validate(result)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AdministrationOut,
    responses=CREATED,
    dependencies=[requires(Permission.GIVE_DOSE)],
)
def record_other(
    episode_id: RecordId,
    body: AdministrationIn,
    response: Response,
    uow: UowDep,
    actor: CurrentUser,
) -> AdministrationOut:
    """Record another medicine given (companion medicine or another benzodiazepine)."""
    result = dosing.record_administration(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return AdministrationOut.model_validate(result)
