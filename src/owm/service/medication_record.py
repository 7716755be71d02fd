"""The current medication administration record (MAR) of each patient, for downtime.

Why: when the system is down the ward still gives and holds doses, on paper. The
paper must start from what the system knew: the medicines the patient takes now,
every clonazepam and companion dose of this episode (given, partial, vomited,
refused; voided entries left out), the holds with their reasons, and the limits
that decide the next dose (minimum interval, 24 h maximum, what was given in the
last 24 h, the earliest next dose). The page adds blank rows to chart by hand;
those doses are entered into owm (with their real times) when it is back.

Nothing here is a recommendation and nothing is logged: the printout shows the
record and the protocol's limits, not an action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from owm.clinical.charting import dose_summary
from owm.service.actor import Actor
from owm.service.common import begin, load_episode, load_patient, load_ward
from owm.service.errors import InputError
from owm.service.handoff import bed_order
from owm.service.permissions import Permission
from owm.service.recommendation import decide
from owm.service.results import EpisodeView, PatientView, WardView, view
from owm.store.models import Administration, Episode, Hold, Medication, Patient, User
from owm.store.uow import UnitOfWork

__all__ = [
    "DoseLine",
    "HoldLine",
    "MedicationLine",
    "MedicationRecord",
    "medication_records",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MedicationLine:
    """A medicine the patient takes now (started or dose changed at `since`)."""

    name: str
    med_class: str
    dose_text: str | None
    since: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseLine:
    """One administration as charted: when given, what, how much, outcome, by whom."""

    at: datetime
    recorded_at: datetime
    drug: str
    dose_mg: Decimal
    route: str
    outcome: str
    by: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldLine:
    at: datetime
    drug: str
    reason: str
    finding_codes: tuple[str, ...]
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MedicationRecord:
    """One patient's MAR at `at`: medicines, doses and holds (oldest first), limits."""

    ward: WardView
    patient: PatientView
    episode: EpisodeView
    at: datetime
    protocol: str
    drug: str
    medications: tuple[MedicationLine, ...]
    doses: tuple[DoseLine, ...]
    holds: tuple[HoldLine, ...]
    given_24h_mg: Decimal
    daily_max_mg: Decimal
    min_interval_hours: Decimal
    max_single_mg: Decimal
    last_dose_at: datetime | None
    next_dose_not_before: datetime | None
    course_day: int

    @property
    def timeline(self) -> tuple[DoseLine | HoldLine, ...]:
        """Doses and holds together, oldest first (as a paper chart reads)."""
        return tuple(sorted((*self.doses, *self.holds), key=lambda line: line.at))


def medication_records(
    uow: UnitOfWork, actor: Actor, *, ward_id: int | None = None, episode_id: int | None = None
) -> tuple[MedicationRecord, ...]:
    """The MAR of every open episode on the ward `ward_id` (by bed), or of the one open
    episode `episode_id` (on whatever ward it is). Give exactly one of the two."""
    if (ward_id is None) == (episode_id is None):
        raise InputError("ward_id", ward_id, "either a ward id or an episode id (not both)")
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        now = uow.now()
        query = select(Patient, Episode).join(Episode, Episode.patient_id == Patient.id)
        if episode_id is not None:
            episode = load_episode(uow.session, episode_id, open_only=True)
            patient = load_patient(uow.session, episode.patient_id)
            ward = load_ward(uow.session, patient.ward_id)
            query = query.where(Episode.id == episode_id)
        else:
            assert ward_id is not None
            ward = load_ward(uow.session, ward_id)
            query = query.where(Patient.ward_id == ward_id, Episode.discharged_at.is_(None))
        rows = uow.session.execute(query).all()
        names = {
            u.id: u.full_name or u.username for u in uow.session.execute(select(User)).scalars()
        }
        records = []
        for patient, episode in sorted(rows, key=lambda r: bed_order(r[0])):
            decision = decide(uow.session, episode, now)
            summary = dose_summary(decision.state, decision.protocol)
            medications = uow.session.execute(
                select(Medication)
                .where(
                    Medication.episode_id == episode.id,
                    Medication.voided_at.is_(None),
                    Medication.at <= now,
                )
                .order_by(Medication.at, Medication.id)
            ).scalars()
            administrations = uow.session.execute(
                select(Administration)
                .where(Administration.episode_id == episode.id, Administration.voided_at.is_(None))
                .order_by(Administration.at, Administration.id)
            ).scalars()
            holds = uow.session.execute(
                select(Hold)
                .where(Hold.episode_id == episode.id, Hold.voided_at.is_(None))
                .order_by(Hold.at, Hold.id)
            ).scalars()
            rec = decision.recommendation
            records.append(
                MedicationRecord(
                    ward=view(WardView, ward),
                    patient=view(PatientView, patient),
                    episode=view(EpisodeView, episode),
                    at=now,
                    protocol=f"{decision.protocol.id} {decision.protocol.version}",
                    drug=decision.protocol.drug,
                    medications=tuple(
                        MedicationLine(
                            name=m.name, med_class=m.med_class, dose_text=m.dose_text, since=m.at
                        )
                        for m in medications
                        if m.active_at(now)
                    ),
                    doses=tuple(
                        DoseLine(
                            at=a.at,
                            recorded_at=a.recorded_at,
                            drug=a.drug,
                            dose_mg=a.dose_mg,
                            route=a.route,
                            outcome=a.outcome,
                            by=names.get(a.entered_by, str(a.entered_by)),
                            note=a.note,
                        )
                        for a in administrations
                    ),
                    holds=tuple(
                        HoldLine(
                            at=h.at,
                            drug=h.drug,
                            reason=h.reason,
                            finding_codes=tuple(h.finding_codes),
                            by=names.get(h.entered_by, str(h.entered_by)),
                        )
                        for h in holds
                    ),
                    given_24h_mg=summary.given_24h_mg,
                    daily_max_mg=summary.daily_max_mg,
                    min_interval_hours=summary.min_interval_hours,
                    max_single_mg=summary.max_single_mg,
                    last_dose_at=summary.last_dose_at,
                    next_dose_not_before=(
                        now
                        if rec.action == "give"
                        else rec.next_dose_not_before
                        if rec.shows_next_dose
                        else None
                    ),
                    course_day=summary.course_day,
                )
            )
        return tuple(records)
