"""Build the `owm-state/1` document for one episode at one decision time, from the stored record.

What goes in (clinical spec section 7, and "no decision uses a voided entry"):
- entries not voided whose clinical time `at` is not after the decision time; a
  dose charted late is therefore judged on the record as it stood when it was given;
- "unable to assess" assessments are left out: they carry no score (the core then
  sees no recent score and asks for one);
- medicines whose start/change time is not after the decision time, active unless
  stopped at or before it; `changed_at` is the row's start or change time;
- alcohol: the latest reported last drink not after the decision time, and the
  latest breath alcohol reading (a later reading of 0 clears an earlier positive);
- the patient's age at the decision time in the ward's time zone (from the date of
  birth), or the recorded age;
- the ward's time zone and protocol id.

The document is then validated by the core (`parse_state`) like any other input.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from owm.clinical.findings import iso, mg_text
from owm.store.base import ClinicalEntry
from owm.store.models import (
    Acknowledgement,
    Administration,
    Alcohol,
    Assessment,
    Episode,
    Medication,
    Patient,
    Sedation,
    SideEffect,
    Symptom,
    User,
    VitalSigns,
    Ward,
)

__all__ = ["age_on", "build_state"]

E = TypeVar("E", bound=ClinicalEntry)


def age_on(born: date, moment: datetime, zone: ZoneInfo) -> int:
    """Whole years of age on the ward's local date of `moment`."""
    today = moment.astimezone(zone).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _entries(session: Session, model: type[E], episode_id: int, at: datetime) -> list[E]:
    return list(
        session.execute(
            select(model)
            .where(model.episode_id == episode_id, model.voided_at.is_(None), model.at <= at)
            .order_by(model.at, model.id)
        ).scalars()
    )


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def build_state(
    session: Session, episode: Episode, at: datetime, *, patient: Patient | None = None
) -> dict[str, Any]:
    """The `owm-state/1` document of `episode` at decision time `at` (not yet validated)."""
    patient = patient or session.get(Patient, episode.patient_id)
    assert patient is not None
    ward = session.get(Ward, patient.ward_id)
    assert ward is not None
    zone = ZoneInfo(ward.timezone)
    eid = episode.id

    age = age_on(patient.date_of_birth, at, zone) if patient.date_of_birth else patient.age_years
    person: dict[str, Any] = {
        "age_years": age,
        "sex": patient.sex,
        "weight_kg": _decimal(patient.weight_kg),
        "pregnant": patient.pregnant,
        "conditions": list(patient.conditions),
        "allergies": list(patient.allergies),
        "history": list(patient.history),
    }

    alcohol: dict[str, Any] = {}
    records = _entries(session, Alcohol, eid, at)
    drinks = [
        r.last_drink_at for r in records if r.last_drink_at is not None and r.last_drink_at <= at
    ]
    if drinks:
        alcohol["last_drink_at"] = iso(max(drinks))
    breaths = [r for r in records if r.breath_alcohol_mg_l is not None]
    if breaths:
        alcohol["breath_alcohol_mg_l"] = _decimal(breaths[-1].breath_alcohol_mg_l)

    medications = []
    for m in _entries(session, Medication, eid, at):
        medicine: dict[str, Any] = {
            "name": m.name,
            "class": m.med_class,
            "active": m.active_at(at),
            "changed_at": iso(m.at),
        }
        if m.rxnorm:
            medicine["rxnorm"] = m.rxnorm
        medications.append(medicine)

    physicians = {
        u.id: u.full_name or u.username
        for u in session.execute(
            select(User).where(
                User.id.in_(
                    select(Acknowledgement.entered_by).where(Acknowledgement.episode_id == eid)
                )
            )
        ).scalars()
    }

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
            for a in _entries(session, Assessment, eid, at)
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
            for v in _entries(session, VitalSigns, eid, at)
        ],
        "sedation": [
            {"at": iso(s.at), "scale": s.scale, "level": s.level}
            for s in _entries(session, Sedation, eid, at)
        ],
        "symptoms": [
            {"at": iso(s.at), "code": s.code} for s in _entries(session, Symptom, eid, at)
        ],
        "administrations": [
            {
                "drug": a.drug,
                "dose_mg": mg_text(a.dose_mg),
                "route": a.route,
                "at": iso(a.at),
                "recorded_at": iso(a.recorded_at),
                "outcome": a.outcome,
            }
            for a in _entries(session, Administration, eid, at)
        ],
        "side_effects": [
            {"at": iso(s.at), "code": s.code} for s in _entries(session, SideEffect, eid, at)
        ],
        "acknowledgements": [
            {
                "finding": a.finding,
                "by": physicians.get(a.entered_by, str(a.entered_by)),
                "at": iso(a.at),
                "reason": a.reason,
            }
            for a in _entries(session, Acknowledgement, eid, at)
        ],
    }
