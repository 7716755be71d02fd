"""Admit a patient: the patient (new, or returning by MRN), a new episode, and the
first-line offer of methadone or buprenorphine with the patient's choice.

First-line care for opioid withdrawal is methadone or buprenorphine (NICE CG52,
ASAM 2020); withdrawal management alone should not be the whole treatment (CRISM
2017). The offer is therefore part of admission: when it was not made, a note
must say why. Patient details are validated with the core's own state model
(codes, physiological limits of the ward's protocol), so nothing stored can later
fail to make a state. `update_patient` changes details (weight, pregnancy,
conditions, ...) with the before/after in the audit trail. Every admission and
change also keeps the details as a version effective from its time
(`owm.service.patient_details`), so a decision about a past moment reads the
details as they stood then.

An admission may carry an idempotency key (the admission form's): it is stored
with the episode under a unique index, so the same key twice returns the first
admission (`replayed=True`) on any server process, even when both arrive at once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from owm.clinical import Protocol
from owm.clinical.charting import late_charting_window
from owm.clinical.findings import iso
from owm.clinical.state import Patient as PatientRecord
from owm.service.actor import Actor
from owm.service.common import (
    audit,
    begin,
    clinical_time,
    idempotency,
    load_patient,
    load_ward,
    optional_text,
    parse_decimal,
    required_text,
    snapshot,
    validated,
)
from owm.service.errors import Conflict, InputError
from owm.service.patient_details import latest_details, record_details, settle_details
from owm.service.permissions import Permission
from owm.service.protocols import protocol_for
from owm.service.results import AdmissionResult, EpisodeView, PatientView, view
from owm.service.state_builder import age_on
from owm.store.models import FIRST_LINE_CHOICES, SETTINGS, Episode, Patient
from owm.store.uow import UnitOfWork

__all__ = ["FIRST_LINE_CHOICES", "SETTINGS", "admit", "update_patient"]
# vocab: FIRST_LINE_CHOICES and SETTINGS (the values admit() accepts) come from the store

_UNSET: Any = object()


def _details(
    protocol: Protocol,
    zone: ZoneInfo,
    now: datetime,
    *,
    date_of_birth: date | None,
    age_years: int | None,
    sex: str | None,
    weight_kg: Decimal | str | None,
    pregnant: bool | None,
    conditions: list[str] | tuple[str, ...],
    allergies: list[str] | tuple[str, ...],
    history: list[str] | tuple[str, ...],
) -> dict[str, Any]:
    """Validated patient details, as columns."""
    if date_of_birth is not None:
        if not isinstance(date_of_birth, date) or isinstance(date_of_birth, datetime):
            raise InputError("date_of_birth", str(date_of_birth), "a date (YYYY-MM-DD)")
        if date_of_birth > now.astimezone(zone).date():
            raise InputError("date_of_birth", date_of_birth.isoformat(), "a date not in the future")
    weight = None if weight_kg is None else parse_decimal(weight_kg, field="weight_kg", places=2)
    for name, value in (("conditions", conditions), ("allergies", allergies), ("history", history)):
        if not isinstance(value, list | tuple) or len(set(value)) != len(value):
            raise InputError(name, value, "a list of codes, each at most once")
    age = age_on(date_of_birth, now, zone) if date_of_birth else age_years
    validated(
        PatientRecord,
        {
            k: v
            for k, v in {
                "age_years": age,
                "sex": sex,
                "weight_kg": weight,
                "pregnant": pregnant,
                "conditions": list(conditions),
                "allergies": list(allergies),
                "history": list(history),
            }.items()
            if v is not None
        },
        protocol,
    )
    return {
        "date_of_birth": date_of_birth,
        "age_years": None if date_of_birth else age_years,
        "sex": sex,
        "weight_kg": weight,
        "pregnant": pregnant,
        "conditions": list(conditions),
        "allergies": list(allergies),
        "history": list(history),
    }


def admit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    ward_id: int,
    name: str,
    mrn: str,
    first_line_offered: bool,
    first_line_choice: str,
    first_line_note: str | None = None,
    bed: str | None = None,
    date_of_birth: date | None = None,
    age_years: int | None = None,
    sex: str | None = None,
    weight_kg: Decimal | str | None = None,
    pregnant: bool | None = None,
    conditions: list[str] | tuple[str, ...] = (),
    allergies: list[str] | tuple[str, ...] = (),
    history: list[str] | tuple[str, ...] = (),
    setting: str = "inpatient",
    admitted_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> AdmissionResult:
    """Admit a patient to a ward and open an episode (nurses and physicians).

    A returning patient is found by MRN: their details are updated and a new episode
    opened (Conflict while an episode is still open, or when the MRN is on another
    ward). `first_line_choice` is methadone, buprenorphine, declined or undecided;
    when `first_line_offered` is False a `first_line_note` must say why. Either
    `date_of_birth` or `age_years` gives the age. `admitted_at` defaults to now.
    The same `idempotency_key` again returns the admission it made (`replayed`);
    used for another MRN, it is a Conflict.
    """
    full_name = required_text(name, field="name", max_length=200)
    record_number = required_text(mrn, field="mrn", max_length=50)
    bed_label = optional_text(bed, field="bed", max_length=20)
    note = optional_text(first_line_note, field="first_line_note")
    if not isinstance(first_line_offered, bool):
        raise InputError("first_line_offered", first_line_offered, "true or false")
    if first_line_choice not in FIRST_LINE_CHOICES:
        raise InputError("first_line_choice", first_line_choice, ", ".join(FIRST_LINE_CHOICES))
    if not first_line_offered and note is None:
        raise InputError(
            "first_line_note",
            first_line_note,
            "a reason why methadone/buprenorphine was not offered",
        )
    if not first_line_offered and first_line_choice != "undecided":
        raise InputError(
            "first_line_choice", first_line_choice, "undecided when nothing was offered"
        )
    if setting not in SETTINGS:
        raise InputError("setting", setting, ", ".join(SETTINGS))
    key = idempotency(idempotency_key)

    try:
        return _admit(
            uow,
            actor,
            key=key,
            ward_id=ward_id,
            full_name=full_name,
            record_number=record_number,
            bed_label=bed_label,
            first_line=(first_line_offered, first_line_choice, note),
            setting=setting,
            admitted_at=admitted_at,
            details={
                "date_of_birth": date_of_birth,
                "age_years": age_years,
                "sex": sex,
                "weight_kg": weight_kg,
                "pregnant": pregnant,
                "conditions": conditions,
                "allergies": allergies,
                "history": history,
            },
        )
    except _SameMoment as clash:
        # Another transaction stored the same MRN or key first: when it was this very
        # admission (the same key), answer with it; otherwise it is a real conflict.
        if key is not None:
            with uow.read():
                again = _admission_by_key(uow.session, key, record_number)
            if again is not None:
                return again
        raise Conflict(str(clash)) from None


class _SameMoment(Exception):
    """A unique index refused the admission: someone stored the same MRN or key first."""


def _admission_by_key(session: Session, key: str, mrn: str) -> AdmissionResult | None:
    """The admission already made under `key`, or None; Conflict when it was another MRN."""
    episode = session.execute(
        select(Episode).where(Episode.idempotency_key == key)
    ).scalar_one_or_none()
    if episode is None:
        return None
    patient = load_patient(session, episode.patient_id)
    if patient.mrn != mrn:
        raise Conflict(
            f"idempotency key {key!r} was already used to admit another patient "
            f"(MRN {patient.mrn}); nothing was recorded"
        )
    return AdmissionResult(
        patient=view(PatientView, patient), episode=view(EpisodeView, episode), replayed=True
    )


def _admit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    key: str | None,
    ward_id: int,
    full_name: str,
    record_number: str,
    bed_label: str | None,
    first_line: tuple[bool, str, str | None],
    setting: str,
    admitted_at: datetime | None,
    details: dict[str, Any],
) -> AdmissionResult:
    """The transaction of `admit` (arguments already checked)."""
    first_line_offered, first_line_choice, note = first_line
    with uow:
        acting = begin(uow, actor, Permission.ADMIT)
        session = uow.session
        ward = load_ward(session, ward_id)
        now = uow.now()
        admitted = clinical_time(admitted_at, field="admitted_at", now=now)
        columns = _details(
            protocol_for(ward.protocol_id), ZoneInfo(ward.timezone), admitted, **details
        )
        patient = session.execute(
            select(Patient).where(Patient.mrn == record_number).with_for_update()
        ).scalar_one_or_none()
        if key is not None:
            # Looked up after the patient's lock: a returning patient's admission sent
            # twice at once finds the first one here once it has committed.
            again = _admission_by_key(session, key, record_number)
            if again is not None:
                return again
        if patient is None:
            patient = Patient(
                ward_id=ward.id,
                bed=bed_label,
                name=full_name,
                mrn=record_number,
                entered_by=acting.user_id,
                entered_at=now,
                updated_at=now,
                **columns,
            )
            session.add(patient)
            try:
                session.flush()
            except IntegrityError:
                raise _SameMoment(f"MRN {record_number} was admitted at the same moment") from None
            audit(uow, acting, "patient.create", patient)
        else:
            if patient.ward_id != ward.id:
                raise Conflict(f"MRN {record_number} belongs to a patient on another ward")
            open_episode = session.execute(
                select(Episode.id).where(
                    Episode.patient_id == patient.id, Episode.discharged_at.is_(None)
                )
            ).first()
            if open_episode is not None:
                raise Conflict(
                    f"patient with MRN {record_number} already has an open episode {open_episode[0]}"
                )
            settle_details(uow, acting, patient)
            before = snapshot(patient)
            for name, value in {"name": full_name, "bed": bed_label, **columns}.items():
                setattr(patient, name, value)
            patient.updated_at = now
            audit(uow, acting, "patient.update", patient, before=before)
        session.flush()
        record_details(uow, acting, patient, effective_from=admitted)
        latest = session.execute(
            select(Episode.discharged_at)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.discharged_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if latest is not None and admitted < latest:
            raise InputError("admitted_at", admitted.isoformat(), "a time after the last discharge")
        episode = Episode(
            patient_id=patient.id,
            admitted_at=admitted,
            setting=setting,
            first_line_offered=first_line_offered,
            first_line_choice=first_line_choice,
            first_line_note=note,
            entered_by=acting.user_id,
            entered_at=now,
            idempotency_key=key,
        )
        session.add(episode)
        try:
            session.flush()
        except IntegrityError:
            raise _SameMoment(
                f"patient with MRN {record_number} was admitted at the same moment"
            ) from None
        audit(uow, acting, "episode.admit", episode)
        uow.commit()
        return AdmissionResult(
            patient=view(PatientView, patient), episode=view(EpisodeView, episode)
        )


def update_patient(
    uow: UnitOfWork,
    actor: Actor,
    *,
    patient_id: int,
    bed: str | None = _UNSET,
    weight_kg: Decimal | str | None = _UNSET,
    pregnant: bool | None = _UNSET,
    sex: str | None = _UNSET,
    conditions: list[str] | tuple[str, ...] = _UNSET,
    allergies: list[str] | tuple[str, ...] = _UNSET,
    history: list[str] | tuple[str, ...] = _UNSET,
    date_of_birth: date | None = _UNSET,
    age_years: int | None = _UNSET,
    effective_from: datetime | None = None,
) -> PatientView:
    """Change a patient's details; only the arguments given change (None clears a value).

    The new details count from `effective_from` (default now; when the change took
    effect earlier, e.g. a weight taken this morning: not in the future, not before
    the details already recorded, and within the protocol's late-charting window).
    Decisions about any moment from then on read them; a decision about an earlier
    moment (a dose charted late) reads the details as they stood then. Earlier
    decisions stay in the recommendation log with the state they were made from.
    """
    with uow:
        acting = begin(uow, actor, Permission.UPDATE_PATIENT)
        session = uow.session
        patient = load_patient(session, patient_id)
        ward = load_ward(session, patient.ward_id)
        protocol = protocol_for(ward.protocol_id)
        now = uow.now()
        since = clinical_time(
            effective_from,
            field="effective_from",
            now=now,
            not_older_than=late_charting_window(protocol),
        )
        latest = settle_details(uow, acting, patient) or latest_details(session, patient.id)
        if latest is not None and since < latest.effective_from:
            raise InputError(
                "effective_from",
                iso(since),
                f"a time at or after the details recorded from {iso(latest.effective_from)}",
            )
        before = snapshot(patient)
        current: dict[str, Any] = {
            "date_of_birth": patient.date_of_birth,
            "age_years": patient.age_years,
            "sex": patient.sex,
            "weight_kg": patient.weight_kg,
            "pregnant": patient.pregnant,
            "conditions": list(patient.conditions),
            "allergies": list(patient.allergies),
            "history": list(patient.history),
        }
        changes = {
            "date_of_birth": date_of_birth,
            "age_years": age_years,
            "sex": sex,
            "weight_kg": weight_kg,
            "pregnant": pregnant,
            "conditions": conditions,
            "allergies": allergies,
            "history": history,
        }
        current.update({k: v for k, v in changes.items() if v is not _UNSET})
        details = _details(protocol, ZoneInfo(ward.timezone), since, **current)
        for key, value in details.items():
            setattr(patient, key, value)
        if bed is not _UNSET:
            patient.bed = optional_text(bed, field="bed", max_length=20)
        patient.updated_at = now
        audit(uow, acting, "patient.update", patient, before=before)
        record_details(uow, acting, patient, effective_from=since)
        uow.commit()
        return view(PatientView, patient)
