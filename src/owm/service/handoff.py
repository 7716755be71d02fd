"""The shift handoff: every patient on a ward, their status now and what is outstanding.

Why a use case of its own: at the change of shift (and when the system is about
to go down) the ward needs one list, on paper if need be, that says for every
patient where they stand and what the next nurse must do. It is made from the
same decision as the bedside (`owm.service.recommendation.decide_many`: the
ward's records read in one query per kind, each state built by the same rules as
the bedside's) at the unit of work's clock time, so the paper and the screen never
disagree, and each
recommendation printed is logged as shown (purpose "handoff") with the protocol
version, like any other recommendation shown.

Outstanding tasks, per patient, most urgent first:
- the emergency checklist's first step when the action is emergency;
- a dose the protocol allows now (the clinician decides);
- reassessment after a dose, the next withdrawal score and the next observations
  (from the recommendation's `due`), each marked overdue when its time has passed;
- escalations waiting for a physician (an unacknowledged escalate finding);
- a taper to plan (taper-needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from owm.clinical import PatientState
from owm.clinical.charting import dose_summary
from owm.service.actor import Actor
from owm.service.common import begin, load_ward
from owm.service.permissions import Permission
from owm.service.recommendation import decide_many, log_decision
from owm.service.results import WardView, view
from owm.store.models import Episode, Patient
from owm.store.uow import UnitOfWork

__all__ = [
    "GROUP_ORDER",
    "HandoffAlert",
    "HandoffPatient",
    "HandoffReport",
    "HandoffTask",
    "bed_order",
    "handoff_report",
]

GROUP_ORDER = {"emergency": 0, "contraindicated": 1, "hold": 2, "escalate": 3}
"""How alerts are ordered by the group of their finding: emergency first."""
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffTask:
    """Something the next shift must do; `due` None means now (or no fixed time)."""

    kind: str
    text: str
    due: datetime | None
    overdue: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffAlert:
    """A finding that needs attention (critical or warning), in the core's words."""

    code: str
    severity: str
    group: str
    message: str
    acknowledged: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffPatient:
    """One patient's line of the handoff."""

    patient_id: int
    episode_id: int
    bed: str | None
    name: str
    mrn: str
    age_years: int | None
    allergies: tuple[str, ...]
    conditions: tuple[str, ...]
    admitted_at: datetime
    first_line_choice: str
    course_day: int
    action: str
    dose_mg: Decimal | None
    next_dose_not_before: datetime | None
    remaining_24h_mg: Decimal | None
    given_24h_mg: Decimal
    last_dose_at: datetime | None
    last_dose_mg: Decimal | None
    withdrawal_instrument: str | None
    withdrawal_score: int | None
    withdrawal_band: str | None
    withdrawal_at: datetime | None
    news2_score: int | None
    news2_response: str | None
    sedation: str | None
    sedation_at: datetime | None
    active_medications: tuple[str, ...]
    alerts: tuple[HandoffAlert, ...]
    tasks: tuple[HandoffTask, ...]
    protocol: str
    withdrawal_previous_score: int | None = None
    """The score before the latest one on the same instrument (for a trend arrow)."""
    recommendation_id: int | None = None
    """The recommendation log row of this line (None when not recorded as shown)."""

    @property
    def overdue_count(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffReport:
    """The ward's handoff at `at` (the unit of work's clock), patients by bed."""

    ward: WardView
    at: datetime
    patients: tuple[HandoffPatient, ...]

    @property
    def overdue_count(self) -> int:
        return sum(p.overdue_count for p in self.patients)


def bed_order(patient: Patient) -> tuple[int, str, str]:
    """Sort key: beds by their number ("2" before "10"), then by name; no bed last."""
    bed = patient.bed or ""
    digits = "".join(ch for ch in bed if ch.isdigit())
    return (int(digits) if digits else 1_000_000, bed, patient.name)


def _tasks(
    rec_action: str,
    dose: Decimal | None,
    rec_due: dict[str, datetime | None],
    at: datetime,
    alerts: tuple[HandoffAlert, ...],
    checklist: tuple[str, ...],
    taper: bool,
) -> tuple[HandoffTask, ...]:
    tasks: list[HandoffTask] = []
    if rec_action == "emergency" and checklist:
        tasks.append(
            HandoffTask(kind="emergency", text="Emergency: " + checklist[0], due=None, overdue=True)
        )
    if rec_action == "give" and dose is not None:
        tasks.append(
            HandoffTask(
                kind="dose",
                text=f"Clonazepam {dose.normalize():f} mg allowed now (clinician decides)",
                due=at,
                overdue=False,
            )
        )
    labels = {
        "reassessment": "Reassess sedation and COWS after the dose",
        "assessment": "Withdrawal score (COWS)",
        "observations": "Vital signs (NEWS2)",
    }
    for key, label in labels.items():
        moment = rec_due.get(key)
        if moment is None:
            continue
        if key == "reassessment" and rec_action == "give" and dose is not None:
            # The reassessment after the dose allowed now: due only once it is given.
            continue
        tasks.append(HandoffTask(kind=key, text=label, due=moment, overdue=moment <= at))
    for alert in alerts:
        if alert.group == "escalate" and not alert.acknowledged:
            tasks.append(
                HandoffTask(
                    kind="physician",
                    text=f"Physician review: {alert.code}",
                    due=None,
                    overdue=False,
                )
            )
    if taper:
        tasks.append(
            HandoffTask(kind="taper", text="Plan the clonazepam taper", due=None, overdue=False)
        )
    return tuple(tasks)


def _previous_score(state: PatientState, withdrawal: dict[str, Any]) -> int | None:
    """The total of the assessment before the latest one, on the same instrument."""
    latest_at = withdrawal.get("at")
    earlier = [
        a
        for a in state.assessments
        if a.instrument == withdrawal.get("instrument") and latest_at and a.at < latest_at
    ]
    return max(earlier, key=lambda a: a.at).total if earlier else None


def handoff_report(
    uow: UnitOfWork, actor: Actor, *, ward_id: int, record_shown: bool = True
) -> HandoffReport:
    """Every patient with an open episode on the ward: status now and outstanding tasks.

    With `record_shown` (the default) each recommendation printed is logged as shown
    (purpose "handoff") and audited; with False nothing is written.
    """
    with uow if record_shown else uow.read():
        acting = begin(uow, actor, Permission.VIEW_RECOMMENDATION)
        ward = load_ward(uow.session, ward_id)
        now = uow.now()
        rows = uow.session.execute(
            select(Patient, Episode)
            .join(Episode, Episode.patient_id == Patient.id)
            .where(Patient.ward_id == ward_id, Episode.discharged_at.is_(None))
        ).all()
        pairs = [(patient, episode) for patient, episode in rows]
        pairs.sort(key=lambda pair: bed_order(pair[0]))
        decisions = decide_many(uow.session, pairs, now)
        lines: list[HandoffPatient] = []
        for (patient, episode), decision in zip(pairs, decisions, strict=True):
            if record_shown:
                log_id: int | None = log_decision(uow, acting, episode, decision, "handoff").id
            else:
                log_id = None
            rec = decision.recommendation
            summary = dose_summary(decision.state, decision.protocol)
            alerts = tuple(
                sorted(
                    (
                        HandoffAlert(
                            code=f.code,
                            severity=f.severity,
                            group=f.group,
                            message=f.message,
                            acknowledged=f.acknowledged,
                        )
                        for f in rec.findings
                        if f.severity in ("critical", "warning")
                    ),
                    key=lambda a: (GROUP_ORDER.get(a.group, 9), _SEVERITY_ORDER[a.severity]),
                )
            )
            withdrawal = rec.withdrawal or {}
            lines.append(
                HandoffPatient(
                    patient_id=patient.id,
                    episode_id=episode.id,
                    bed=patient.bed,
                    name=patient.name,
                    mrn=patient.mrn,
                    age_years=decision.state.patient.age_years,
                    allergies=tuple(patient.allergies),
                    conditions=tuple(patient.conditions),
                    admitted_at=episode.admitted_at,
                    first_line_choice=episode.first_line_choice,
                    course_day=rec.course_day,
                    action=rec.action,
                    dose_mg=rec.dose_mg,
                    next_dose_not_before=(
                        rec.next_dose_not_before if rec.shows_next_dose else None
                    ),
                    remaining_24h_mg=rec.remaining_24h_mg if rec.shows_remaining else None,
                    given_24h_mg=summary.given_24h_mg,
                    last_dose_at=summary.last_dose_at,
                    last_dose_mg=summary.last_dose_mg,
                    withdrawal_instrument=withdrawal.get("instrument"),
                    withdrawal_score=withdrawal.get("score"),
                    withdrawal_band=withdrawal.get("band"),
                    withdrawal_at=withdrawal.get("at"),
                    news2_score=rec.news2["score"] if rec.news2 else None,
                    news2_response=rec.news2["response"] if rec.news2 else None,
                    sedation=summary.sedation,
                    sedation_at=summary.sedation_at,
                    active_medications=tuple(
                        f"{m.name} ({m.class_})" for m in decision.state.medications if m.active
                    ),
                    alerts=alerts,
                    tasks=_tasks(
                        rec.action,
                        rec.dose_mg,
                        rec.due,
                        now,
                        alerts,
                        rec.checklist,
                        rec.finding("taper-needed") is not None,
                    ),
                    protocol=f"{rec.protocol_id} {rec.protocol_version}",
                    withdrawal_previous_score=_previous_score(decision.state, withdrawal),
                    recommendation_id=log_id,
                )
            )
        if record_shown:
            uow.commit()
        return HandoffReport(ward=view(WardView, ward), at=now, patients=tuple(lines))
