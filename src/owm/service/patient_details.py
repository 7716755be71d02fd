"""The patient's details (weight, pregnancy, conditions, ...) as they stood at any moment.

Why: a decision about a past moment must read the record as it stood then. Doses,
scores and medicines carry their own clinical times; the patient's details are
kept the same way: every admission and every change writes a `PatientDetails`
row effective from its time (the admission time, or the time the change took
effect), and the `Patient` row holds the details now. A dose charted late is
therefore checked against the weight, pregnancy and conditions of the moment it
was given, not today's.

Which row counts at a decision time `at`: the latest row effective at or before
`at`; before the first row, the first row (the details as first recorded, at
admission). A patient whose details were written without a row (by a writer that
keeps only the `Patient` row, or a record older than this table) is read from
the `Patient` row: when it differs from the latest row, it counts from the
`Patient` row's `updated_at`; with no row at all, it counts at every moment. Before
such a row is changed through owm, `settle_details` keeps what it held as a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from owm.service.actor import Actor
from owm.service.common import Acting, audit, begin, load_patient
from owm.service.permissions import Permission
from owm.store.models import DETAIL_FIELDS, Episode, Patient, PatientDetails
from owm.store.uow import UnitOfWork

__all__ = [
    "Details",
    "details_at",
    "details_history",
    "latest_details",
    "record_details",
    "settle_details",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Details:
    """The patient's details effective from `effective_from` (None: from the `Patient` row
    of a patient without history)."""

    patient_id: int
    effective_from: datetime | None
    date_of_birth: date | None
    age_years: int | None
    sex: str | None
    weight_kg: Decimal | None
    pregnant: bool | None
    conditions: tuple[str, ...]
    allergies: tuple[str, ...]
    history: tuple[str, ...]
    entered_by: int | None = None
    entered_at: datetime | None = None

    def values(self) -> dict[str, Any]:
        """The details as column values (lists for the coded lists)."""
        return {name: _plain(getattr(self, name)) for name in DETAIL_FIELDS}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _of(row: PatientDetails | Patient, effective_from: datetime | None) -> Details:
    return Details(
        patient_id=row.patient_id if isinstance(row, PatientDetails) else row.id,
        effective_from=effective_from,
        date_of_birth=row.date_of_birth,
        age_years=row.age_years,
        sex=row.sex,
        weight_kg=row.weight_kg,
        pregnant=row.pregnant,
        conditions=tuple(row.conditions or ()),
        allergies=tuple(row.allergies or ()),
        history=tuple(row.history or ()),
        entered_by=row.entered_by,
        entered_at=row.entered_at if isinstance(row, PatientDetails) else row.updated_at,
    )


def _patient_values(patient: Patient) -> dict[str, Any]:
    return {
        name: list(value) if isinstance(value := getattr(patient, name), list | tuple) else value
        for name in DETAIL_FIELDS
    }


def _same(details: Details, patient: Patient) -> bool:
    return details.values() == _patient_values(patient)


def _histories(session: Session, patients: Sequence[Patient]) -> dict[int, list[Details]]:
    """Every patient's versions by effective time (one query for all), with the `Patient`
    row's details added at its `updated_at` when the latest version differs from it."""
    ids = sorted({p.id for p in patients})
    versions: dict[int, list[Details]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(PatientDetails)
            .where(PatientDetails.patient_id.in_(ids[start : start + 500]))
            .order_by(PatientDetails.patient_id, PatientDetails.effective_from, PatientDetails.id)
        ).scalars()
        for row in rows:
            versions[row.patient_id].append(_of(row, row.effective_from))
    for patient in patients:
        found = versions[patient.id]
        if not found:
            found.append(_of(patient, None))
        elif not _same(found[-1], patient):
            found.append(_of(patient, max(patient.updated_at, _from(found[-1]))))
    return versions


def _from(details: Details) -> datetime:
    assert details.effective_from is not None
    return details.effective_from


def _pick(versions: list[Details], at: datetime) -> Details:
    if versions[0].effective_from is None:
        return versions[0]
    current = [d for d in versions if _from(d) <= at]
    return current[-1] if current else versions[0]


def details_at(session: Session, patients: Sequence[Patient], at: datetime) -> dict[int, Details]:
    """Each patient's details as they stood at `at`, by patient id (one query for all)."""
    histories = _histories(session, patients)
    return {patient_id: _pick(versions, at) for patient_id, versions in histories.items()}


def latest_details(session: Session, patient_id: int) -> PatientDetails | None:
    """The patient's version with the latest effective time (None: no version yet)."""
    return session.execute(
        select(PatientDetails)
        .where(PatientDetails.patient_id == patient_id)
        .order_by(PatientDetails.effective_from.desc(), PatientDetails.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _baseline_time(session: Session, patient: Patient) -> datetime:
    """When a patient's first known details began: the first admission, or when the
    patient was entered if that was earlier (the rule the migration used)."""
    first = session.execute(
        select(func.min(Episode.admitted_at)).where(Episode.patient_id == patient.id)
    ).scalar_one_or_none()
    return min(patient.entered_at, first) if first is not None else patient.entered_at


def settle_details(uow: UnitOfWork, acting: Acting, patient: Patient) -> PatientDetails | None:
    """Before the `Patient` row is changed: keep its present details as a version when no
    version holds them (a patient with none yet, from their first admission; details
    changed on the row alone, from the row's `updated_at`), so that the change does not
    rewrite what earlier moments read. Call inside the caller's transaction."""
    session = uow.session
    latest = latest_details(session, patient.id)
    if latest is None:
        since, who = _baseline_time(session, patient), patient.entered_by
    elif not _same(_of(latest, latest.effective_from), patient):
        since, who = max(patient.updated_at, latest.effective_from), acting.user_id
    else:
        return None
    row = PatientDetails(
        patient_id=patient.id,
        effective_from=since,
        entered_by=who,
        entered_at=uow.now(),
        **_patient_values(patient),
    )
    session.add(row)
    audit(uow, acting, "patient_details.record", row)
    session.flush()
    return row


def record_details(
    uow: UnitOfWork, acting: Acting, patient: Patient, *, effective_from: datetime
) -> PatientDetails | None:
    """Write the `Patient` row's details as a version effective from `effective_from`
    (inside the caller's transaction, audited); nothing when they equal the latest
    version."""
    latest = latest_details(uow.session, patient.id)
    if latest is not None and _same(_of(latest, latest.effective_from), patient):
        return None
    row = PatientDetails(
        patient_id=patient.id,
        effective_from=effective_from,
        entered_by=acting.user_id,
        entered_at=uow.now(),
        **_patient_values(patient),
    )
    uow.session.add(row)
    audit(uow, acting, "patient_details.record", row)
    return row


def details_history(uow: UnitOfWork, actor: Actor, *, patient_id: int) -> list[Details]:
    """The patient's details, every version, newest first (clinical roles)."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        patient = load_patient(uow.session, patient_id)
        versions = _histories(uow.session, [patient])[patient.id]
        return list(reversed(versions))
