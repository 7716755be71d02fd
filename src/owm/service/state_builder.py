"""Build `owm-state/1` documents from the stored record: one episode, or a whole ward at once.

What goes in (clinical spec section 7, and "no decision uses a voided entry"):
- entries not voided whose clinical time `at` is not after the decision time; a
  dose charted late is therefore judged on the record as it stood when it was given;
- "unable to assess" assessments are left out: they carry no score (the core then
  sees no recent score and asks for one);
- medicines whose start/change time is not after the decision time, active unless
  stopped at or before it; `changed_at` is the row's start or change time;
- alcohol: the latest reported last drink not after the decision time, the
  latest breath alcohol reading (a later reading of 0 clears an earlier positive),
  and "none reported" when the latest alcohol entry is the patient's report of no
  drink (a later reported drink ends it); nothing recorded is alcohol unknown;
- nurse's holds of the dose (the core lets each stand until a newer COWS);
- records an import could not map (each escalates until a physician voids it);
- acknowledgements by the role "physician" (only physicians may enter them; the
  entry names the person);
- the patient's details (weight, pregnancy, conditions, allergies, history, sex)
  as they stood at the decision time (`owm.service.patient_details`), and the age
  at the decision time in the ward's time zone (from the date of birth), or the
  recorded age;
- the ward's time zone and protocol id.

Two steps, so that one patient and a whole ward are built by the same rules:
`load_records` reads each kind of record for all the given episodes in one query
(`IN` over their ids) and groups it by episode; `state_from_records` makes one
document from one episode's records. `build_state` (one episode, e.g. inside the
dosing guard's locked transaction) and `build_states` (a ward's board or
handoff: about ten queries whatever the number of patients) both feed it.

The document is then validated by the core (`parse_state`) like any other input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from owm.clinical.findings import iso, mg_text
from owm.service.patient_details import Details, details_at
from owm.store.base import ClinicalEntry
from owm.store.models import (
    Acknowledgement,
    Administration,
    Alcohol,
    Assessment,
    Episode,
    Hold,
    Medication,
    Patient,
    Sedation,
    SideEffect,
    Symptom,
    UnmappedRecord,
    VitalSigns,
    Ward,
)

__all__ = [
    "EpisodeRecords",
    "age_on",
    "build_state",
    "build_states",
    "load_records",
    "state_from_records",
]

E = TypeVar("E", bound=ClinicalEntry)

IN_CHUNK = 500
"""Episode ids per `IN (...)` list (well under any database's limit on bound values)."""


def age_on(born: date, moment: datetime, zone: ZoneInfo) -> int:
    """Whole years of age on the ward's local date of `moment`."""
    today = moment.astimezone(zone).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeRecords:
    """What one episode's state is made from, as read for decision time `at`.

    Each list holds the entries that are not voided and not after `at`, by clinical
    time (then by id).
    """

    at: datetime
    ward: Ward
    patient: Patient
    details: Details
    """The patient's details as they stood at `at`."""
    episode: Episode
    alcohol: Sequence[Alcohol]
    medications: Sequence[Medication]
    assessments: Sequence[Assessment]
    vitals: Sequence[VitalSigns]
    sedation: Sequence[Sedation]
    symptoms: Sequence[Symptom]
    administrations: Sequence[Administration]
    side_effects: Sequence[SideEffect]
    acknowledgements: Sequence[Acknowledgement]
    holds: Sequence[Hold]
    unmapped: Sequence[UnmappedRecord]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _entries(
    session: Session, model: type[E], episode_ids: Sequence[int], at: datetime
) -> dict[int, list[E]]:
    """The entries of `model` that a decision at `at` reads, grouped by episode."""
    grouped: dict[int, list[E]] = {eid: [] for eid in episode_ids}
    for chunk in _chunks(episode_ids):
        rows = session.execute(
            select(model)
            .where(model.episode_id.in_(chunk), model.voided_at.is_(None), model.at <= at)
            .order_by(model.episode_id, model.at, model.id)
        ).scalars()
        for row in rows:
            grouped[row.episode_id].append(row)
    return grouped


def load_records(
    session: Session, episodes: Sequence[tuple[Patient, Episode]], at: datetime
) -> list[EpisodeRecords]:
    """Every episode's records for decision time `at`, one query per kind of record.

    `episodes` pairs each episode with its patient; the answer is in the same order.
    """
    ids = [episode.id for _, episode in episodes]
    wards = {ward_id: session.get(Ward, ward_id) for ward_id in {p.ward_id for p, _ in episodes}}
    alcohol = _entries(session, Alcohol, ids, at)
    medications = _entries(session, Medication, ids, at)
    assessments = _entries(session, Assessment, ids, at)
    vitals = _entries(session, VitalSigns, ids, at)
    sedation = _entries(session, Sedation, ids, at)
    symptoms = _entries(session, Symptom, ids, at)
    administrations = _entries(session, Administration, ids, at)
    side_effects = _entries(session, SideEffect, ids, at)
    acknowledgements = _entries(session, Acknowledgement, ids, at)
    holds = _entries(session, Hold, ids, at)
    unmapped = _entries(session, UnmappedRecord, ids, at)
    details = details_at(session, [patient for patient, _ in episodes], at)
    records = []
    for patient, episode in episodes:
        ward = wards[patient.ward_id]
        assert ward is not None
        eid = episode.id
        records.append(
            EpisodeRecords(
                at=at,
                ward=ward,
                patient=patient,
                details=details[patient.id],
                episode=episode,
                alcohol=alcohol[eid],
                medications=medications[eid],
                assessments=assessments[eid],
                vitals=vitals[eid],
                sedation=sedation[eid],
                symptoms=symptoms[eid],
                administrations=administrations[eid],
                side_effects=side_effects[eid],
                acknowledgements=acknowledgements[eid],
                holds=holds[eid],
                unmapped=unmapped[eid],
            )
        )
    return records


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def state_from_records(records: EpisodeRecords) -> dict[str, Any]:
    """The `owm-state/1` document of one episode from its records (not yet validated)."""
    at = records.at
    ward, episode, details = records.ward, records.episode, records.details
    zone = ZoneInfo(ward.timezone)

    age = age_on(details.date_of_birth, at, zone) if details.date_of_birth else details.age_years
    person: dict[str, Any] = {
        "age_years": age,
        "sex": details.sex,
        "weight_kg": _decimal(details.weight_kg),
        "pregnant": details.pregnant,
        "conditions": list(details.conditions),
        "allergies": list(details.allergies),
        "history": list(details.history),
    }

    alcohol: dict[str, Any] = {}
    drinks = [
        r.last_drink_at
        for r in records.alcohol
        if r.last_drink_at is not None and r.last_drink_at <= at
    ]
    if drinks:
        alcohol["last_drink_at"] = iso(max(drinks))
    breaths = [r for r in records.alcohol if r.breath_alcohol_mg_l is not None]
    if breaths:
        alcohol["breath_alcohol_mg_l"] = _decimal(breaths[-1].breath_alcohol_mg_l)
    reports = [r for r in records.alcohol if r.none_reported or r.last_drink_at is not None]
    if reports and reports[-1].none_reported and reports[-1].last_drink_at is None:
        alcohol["none_reported"] = True

    medications = []
    for m in records.medications:
        medicine: dict[str, Any] = {
            "name": m.name,
            "class": m.med_class,
            "active": m.active_at(at),
            "changed_at": iso(m.at),
        }
        if m.rxnorm:
            medicine["rxnorm"] = m.rxnorm
        medications.append(medicine)

    return {
        "format": "owm-state/1",
        "at": iso(at),
        "ward": {"timezone": ward.timezone},
        "protocol": ward.protocol_id,
        "patient": {k: v for k, v in person.items() if v is not None},
        "episode": {"started_at": iso(episode.admitted_at), "setting": episode.setting},
        "alcohol": alcohol,
        "medications": medications,
        "assessments": [
            {"instrument": a.instrument, "at": iso(a.at), "items": dict(a.items)}
            for a in records.assessments
            if a.items is not None
        ],
        "vitals": [
            {
                k: v
                for k, v in {
                    "at": iso(v.at),
                    "respiratory_rate": v.respiratory_rate,
                    "spo2": v.spo2,
                    "oxygen": v.oxygen,
                    "systolic_bp": v.systolic_bp,
                    "pulse": v.pulse,
                    "consciousness": v.consciousness,
                    "temperature_c": _decimal(v.temperature_c),
                }.items()
                if v is not None
            }
            for v in records.vitals
        ],
        "sedation": [
            {"at": iso(s.at), "scale": s.scale, "level": s.level} for s in records.sedation
        ],
        "symptoms": [{"at": iso(s.at), "code": s.code} for s in records.symptoms],
        "administrations": [
            {
                "drug": a.drug,
                "dose_mg": mg_text(a.dose_mg),
                "route": a.route,
                "at": iso(a.at),
                "recorded_at": iso(a.recorded_at),
                "outcome": a.outcome,
            }
            for a in records.administrations
        ],
        "side_effects": [{"at": iso(s.at), "code": s.code} for s in records.side_effects],
        "acknowledgements": [
            {"finding": a.finding, "by": "physician", "at": iso(a.at), "reason": a.reason}
            for a in records.acknowledgements
        ],
        "holds": [{"at": iso(h.at), "reason": h.reason} for h in records.holds],
        "unmapped": [
            {
                k: v
                for k, v in {
                    "kind": u.kind,
                    "text": u.text,
                    "code": u.code,
                    "system": u.system,
                }.items()
                if v is not None
            }
            for u in records.unmapped
        ],
    }


def build_state(
    session: Session, episode: Episode, at: datetime, *, patient: Patient | None = None
) -> dict[str, Any]:
    """The `owm-state/1` document of `episode` at decision time `at` (not yet validated)."""
    patient = patient or session.get(Patient, episode.patient_id)
    assert patient is not None
    return state_from_records(load_records(session, [(patient, episode)], at)[0])


def build_states(
    session: Session, episodes: Sequence[tuple[Patient, Episode]], at: datetime
) -> list[dict[str, Any]]:
    """The documents of many episodes at `at` (same order), read in one query per record kind."""
    return [state_from_records(records) for records in load_records(session, episodes, at)]
