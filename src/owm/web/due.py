"""What is due, and since when: the clocks a withdrawal ward runs on.

Per patient (the patient page):
- the reassessment after a dose, the next withdrawal score and the next vital
  signs, from the recommendation's `due` (the core decides them from protocol
  values), each marked overdue once its time has passed;
- the time since the last dose, in hours and minutes;
- the time spent in moderate or worse withdrawal without treatment: from a
  withdrawal score in the moderate band or above until the next dose that counts
  (given, partial, vomited) or a score below moderate, summed over the episode,
  with the stretch still running now shown on its own.

Per nurse (`GET /due`): the outstanding tasks (the handoff use case's task list)
of the patients assigned to the signed-in nurse (`owm.service.assignments`),
overdue first, then by time due; `?scope=ward` switches to every patient on the
ward, with the nurse of each (physicians and pharmacists, who look after no
patient of their own, see the ward by default). Patients with nobody assigned are
counted on the nurse's own list too, so that their tasks are never out of sight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from owm.clinical import Recommendation
from owm.clinical.untreated import Untreated, counts
from owm.clinical.untreated import time_since_last_dose as since_last_dose
from owm.clinical.untreated import untreated_withdrawal as untreated_clock
from owm.http.deps import RuntimeDep
from owm.service.assignments import current_assignments
from owm.service.errors import ServiceError
from owm.service.handoff import handoff_report
from owm.service.results import AdministrationView, AssessmentView
from owm.web.errors import error_page
from owm.web.pages import NavItem, PageUserDep, add_nav, page

__all__ = [
    "GRACE",
    "SCOPES",
    "DueItem",
    "Untreated",
    "counted_doses",
    "due_items",
    "router",
    "time_since_last_dose",
    "untreated_withdrawal",
]


router = APIRouter(include_in_schema=False)
add_nav(
    NavItem(
        key="due",
        label="What is due",
        href="/due",
        order=20,
        roles=frozenset({"nurse", "physician", "pharmacist"}),
    )
)

_LABELS = {
    "reassessment": "Reassess sedation and COWS after the dose",
    "assessment": "Next withdrawal score (COWS)",
    "observations": "Next vital signs (NEWS2)",
}


GRACE = timedelta(minutes=1)
"""A time due within this much of now reads "due now", not "overdue" (the decision was
made a moment before the page was drawn)."""


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due for a patient: what, when (None: nothing due), and whether it is late."""

    kind: str
    label: str
    due: datetime | None
    overdue: bool
    due_now: bool = False


def due_items(rec: Recommendation, now: datetime) -> list[DueItem]:
    """The recommendation's three due times, in a fixed order: due now (within `GRACE`),
    overdue (passed by more), or later."""
    items = []
    for kind, label in _LABELS.items():
        moment = rec.due.get(kind)
        if moment is None:
            items.append(DueItem(kind, label, None, False))
        else:
            late = now - moment
            items.append(DueItem(kind, label, moment, late >= GRACE, timedelta(0) <= late < GRACE))
    return items


def counted_doses(administrations: Sequence[AdministrationView]) -> list[AdministrationView]:
    """Clonazepam doses that count (the core's outcomes; not voided), oldest first."""
    return sorted(
        (
            a
            for a in administrations
            if a.drug == "clonazepam" and counts(a.outcome) and a.voided_at is None
        ),
        key=lambda a: a.at,
    )


def time_since_last_dose(
    administrations: Sequence[AdministrationView], now: datetime
) -> timedelta | None:
    """How long since the latest counted dose at or before `now` (None: no dose yet)."""
    return since_last_dose((a.at for a in counted_doses(administrations)), now)


def untreated_withdrawal(
    assessments: Sequence[AssessmentView],
    administrations: Sequence[AdministrationView],
    now: datetime,
) -> Untreated:
    """The core's untreated-withdrawal clock over the record's scores and counted doses
    (voided entries and "unable to assess" left out)."""
    scores = [
        (a.at, a.instrument, a.band)
        for a in assessments
        if a.voided_at is None and a.total is not None
    ]
    return untreated_clock(scores, (d.at for d in counted_doses(administrations)), now)


SCOPES = ("mine", "ward")
"""`/due?scope=mine`: the signed-in nurse's patients; `scope=ward`: every patient."""


@router.get("/due", response_class=HTMLResponse)
def due_page(request: Request, runtime: RuntimeDep, user: PageUserDep, scope: str = "") -> Response:
    """The outstanding tasks of the nurse's own patients (or the ward's), overdue first."""
    own_list = user.role == "nurse"
    if scope not in SCOPES:
        scope = "mine" if own_list else "ward"
    context: dict[str, Any] = {"scope": scope, "own_list": own_list}
    if user.ward is None:
        return page(request, "due.html", user=user, active="due", report=None, tasks=[], **context)
    try:
        report = handoff_report(runtime.uow(), user.actor, ward_id=user.ward.id, record_shown=False)
        assigned = current_assignments(runtime.uow(), user.actor, ward_id=user.ward.id)
    except ServiceError as error:
        return error_page(request, user, error)
    mine = [
        p
        for p in report.patients
        if p.episode_id in assigned and assigned[p.episode_id].nurse_id == user.id
    ]
    unassigned = [p for p in report.patients if p.episode_id not in assigned]
    shown = mine if scope == "mine" else list(report.patients)
    far = report.at + timedelta(days=3650)
    tasks = sorted(
        ((p, t) for p in shown for t in p.tasks),
        key=lambda pt: (not pt[1].overdue, pt[1].due or far, pt[0].bed or "", pt[0].name),
    )
    return page(
        request,
        "due.html",
        user=user,
        active="due",
        report=report,
        tasks=tasks,
        assigned=assigned,
        mine=mine,
        unassigned=unassigned,
        unassigned_overdue=sum(p.overdue_count for p in unassigned),
        **context,
    )
