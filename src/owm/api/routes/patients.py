"""Patients: admit (patient + episode), change details, the ward list, one patient."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from owm.api.schemas.common import MAX_ID, RecordId
from owm.api.schemas.patients import (
    AdmissionIn,
    AdmissionOut,
    EpisodeOut,
    PatientOut,
    PatientSummaryOut,
    PatientUpdateIn,
)
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import admission, queries
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/patients", tags=["patients"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AdmissionOut,
    dependencies=[requires(Permission.ADMIT)],
)
def admit(body: AdmissionIn, uow: UowDep, actor: CurrentUser) -> AdmissionOut:
    """Admit a patient and open an episode (409 while the patient has an open episode)."""
    fields: dict[str, Any] = body.model_dump()
    return AdmissionOut.model_validate(admission.admit(uow, actor, **fields))


@router.patch(
    "/{patient_id}", response_model=PatientOut, dependencies=[requires(Permission.UPDATE_PATIENT)]
)
def update(
    patient_id: RecordId, body: PatientUpdateIn, uow: UowDep, actor: CurrentUser
) -> PatientOut:
    """Change a patient's details; only the fields sent change."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return PatientOut.model_validate(
        admission.update_patient(uow, actor, patient_id=patient_id, **changes)
    )


@router.get(
    "", response_model=list[PatientSummaryOut], dependencies=[requires(Permission.READ_RECORD)]
)
def ward_list(
    uow: UowDep,
    actor: CurrentUser,
    ward_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    include_discharged: bool = False,
) -> list[PatientSummaryOut]:
    """The ward's patients with their open episode, by bed then name."""
    rows = queries.list_patients(uow, actor, ward_id=ward_id, include_discharged=include_discharged)
    return [PatientSummaryOut.model_validate(r) for r in rows]


@router.get(
    "/{patient_id}", response_model=PatientOut, dependencies=[requires(Permission.READ_RECORD)]
)
def get_patient(patient_id: RecordId, uow: UowDep, actor: CurrentUser) -> PatientOut:
    return PatientOut.model_validate(queries.get_patient(uow, actor, patient_id=patient_id))


@router.get(
    "/{patient_id}/episodes",
    response_model=list[EpisodeOut],
    dependencies=[requires(Permission.READ_RECORD)],
)
def episodes(patient_id: RecordId, uow: UowDep, actor: CurrentUser) -> list[EpisodeOut]:
    """The patient's episodes, newest first."""
    return [
        EpisodeOut.model_validate(e)
        for e in queries.list_episodes(uow, actor, patient_id=patient_id)
    ]
