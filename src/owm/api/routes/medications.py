"""Medicines the patient takes: record, stop, change the dose (a new entry replaces the old)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.medications import (
    MedicationChangeIn,
    MedicationIn,
    MedicationOut,
    MedicationStopIn,
)
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import medications
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(tags=["medications"])


@router.post(
    "/api/episodes/{episode_id}/medications",
    status_code=status.HTTP_201_CREATED,
    response_model=MedicationOut,
    responses=CREATED,
    dependencies=[requires(Permission.MANAGE_MEDICATIONS)],
)
def record(
    episode_id: RecordId, body: MedicationIn, response: Response, uow: UowDep, actor: CurrentUser
) -> MedicationOut:
    """Record a medicine the patient takes (its class drives interaction findings)."""
    result = medications.record_medication(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return MedicationOut.model_validate(result)


@router.post(
    "/api/medications/{medication_id}/stop",
    response_model=MedicationOut,
    dependencies=[requires(Permission.MANAGE_MEDICATIONS)],
)
def stop(
    medication_id: RecordId, body: MedicationStopIn, uow: UowDep, actor: CurrentUser
) -> MedicationOut:
    """Stop a medicine from `at` (default now)."""
    return MedicationOut.model_validate(
        medications.stop_medication(uow, actor, medication_id=medication_id, at=body.at)
    )


@router.post(
    "/api/medications/{medication_id}/change",
    status_code=status.HTTP_201_CREATED,
    response_model=MedicationOut,
    dependencies=[requires(Permission.MANAGE_MEDICATIONS)],
)
def change(
    medication_id: RecordId, body: MedicationChangeIn, uow: UowDep, actor: CurrentUser
) -> MedicationOut:
    """Change a medicine's dose (or class) from `at`; returns the new entry."""
    return MedicationOut.model_validate(
        medications.change_medication(uow, actor, medication_id=medication_id, **body.model_dump())
    )
