"""The ward board: every patient on the ward at a glance, refreshing by itself.

One row per patient with an open episode, by bed: course day, the latest
withdrawal score with its band and a trend arrow, NEWS2, sedation, the
recommendation now (colour and word), the next dose time and the open alerts
(emergency first). The rows come from the handoff use case
(`owm.service.handoff.handoff_report`), the same decision as the bedside, made
at the application clock's time; the board is a glance and does not log each
poll as a recommendation shown (the patient page, where a dose is given, does).

`GET /` is the page; `GET /board/fragment` is the part htmx fetches every
`OWM_BOARD_REFRESH_SECONDS` (default 30) to replace the board in place (no full
reload, focus kept).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from owm.http.deps import RuntimeDep
from owm.service.errors import ServiceError
from owm.service.handoff import (
    GROUP_ORDER,
    HandoffAlert,
    HandoffPatient,
    HandoffReport,
    handoff_report,
)
from owm.service.permissions import Permission, allowed
from owm.web.errors import error_page
from owm.web.pages import WARD_COOKIE, NavItem, PageUser, PageUserDep, add_nav, page
from owm.web.templating import render

__all__ = [
    "REFRESH_ENV",
    "REFRESH_SECONDS",
    "BoardRow",
    "board_rows",
    "refresh_seconds_from_env",
    "render_board",
    "router",
    "trend",
]

REFRESH_SECONDS = 30
REFRESH_ENV = "OWM_BOARD_REFRESH_SECONDS"
REFRESH_RANGE = (2, 3600)


def refresh_seconds_from_env(environ: Mapping[str, str] | None = None) -> int:
    """How often the board refreshes itself: `OWM_BOARD_REFRESH_SECONDS` (default 30).

    A value that is not a whole number from 2 to 3600 is refused with a message
    naming the variable, the value and what is allowed.
    """
    env = os.environ if environ is None else environ
    value = env.get(REFRESH_ENV, "").strip()
    if not value:
        return REFRESH_SECONDS
    low, high = REFRESH_RANGE
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(
            f"{REFRESH_ENV}: {value!r} is not allowed; allowed: a whole number of seconds "
            f"from {low} to {high}"
        )
    return int(value)


def _refresh(request: Request) -> int:
    return int(getattr(request.app.state, "board_refresh_seconds", REFRESH_SECONDS))


router = APIRouter(include_in_schema=False)
CLINICAL_READERS = frozenset({"nurse", "physician", "pharmacist"})
add_nav(NavItem(key="board", label="Ward board", href="/", order=10, roles=CLINICAL_READERS))


@dataclass(frozen=True, slots=True)
class Trend:
    """Which way the withdrawal score went since the one before: arrow and words."""

    arrow: str
    words: str
    direction: str  # up, down, same


def trend(latest: int | None, previous: int | None) -> Trend | None:
    """↑ worse (higher score), ↓ better, → unchanged; None without two scores."""
    if latest is None or previous is None:
        return None
    if latest > previous:
        return Trend("↑", f"up from {previous}", "up")
    if latest < previous:
        return Trend("↓", f"down from {previous}", "down")
    return Trend("→", f"unchanged from {previous}", "same")


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One patient's line of the board (plain values, ready for the template)."""

    patient_id: int
    episode_id: int
    bed: str | None
    name: str
    course_day: int
    instrument: str | None
    score: int | None
    band: str | None
    score_at: datetime | None
    trend: Trend | None
    news2_score: int | None
    news2_response: str | None
    sedation: str | None
    sedation_at: datetime | None
    action: str
    dose_mg: Decimal | None
    next_dose_not_before: datetime | None
    alerts: tuple[HandoffAlert, ...]
    overdue: int

    @property
    def emergency(self) -> bool:
        return self.action == "emergency"


def _row(line: HandoffPatient) -> BoardRow:
    alerts = tuple(
        sorted(
            (a for a in line.alerts if not a.acknowledged or a.severity == "critical"),
            key=lambda a: (GROUP_ORDER.get(a.group, 9), a.severity != "critical"),
        )
    )
    return BoardRow(
        patient_id=line.patient_id,
        episode_id=line.episode_id,
        bed=line.bed,
        name=line.name,
        course_day=line.course_day,
        instrument=line.withdrawal_instrument,
        score=line.withdrawal_score,
        band=line.withdrawal_band,
        score_at=line.withdrawal_at,
        trend=trend(line.withdrawal_score, line.withdrawal_previous_score),
        news2_score=line.news2_score,
        news2_response=line.news2_response,
        sedation=line.sedation,
        sedation_at=line.sedation_at,
        action=line.action,
        dose_mg=line.dose_mg,
        next_dose_not_before=line.next_dose_not_before,
        alerts=alerts,
        overdue=line.overdue_count,
    )


def board_rows(report: HandoffReport) -> list[BoardRow]:
    """The board's rows, in the report's bed order."""
    return [_row(line) for line in report.patients]


def _summary(rows: list[BoardRow]) -> dict[str, int]:
    return {
        "patients": len(rows),
        "emergency": sum(1 for r in rows if r.action == "emergency"),
        "give": sum(1 for r in rows if r.action == "give"),
        "escalate": sum(1 for r in rows if r.action == "escalate"),
        "overdue": sum(r.overdue for r in rows),
    }


def board_context(report: HandoffReport, refresh_seconds: int = REFRESH_SECONDS) -> dict[str, Any]:
    """What `_board.html` needs besides the shared page context."""
    rows = board_rows(report)
    return {
        "rows": rows,
        "summary": _summary(rows),
        "board_at": report.at,
        "board_ward": report.ward,
        "refresh_seconds": refresh_seconds,
    }


def render_board(
    report: HandoffReport, *, ward_tz: str, refresh_seconds: int = REFRESH_SECONDS
) -> str:
    """The board fragment alone (what the page embeds and htmx polls); used by the benchmark."""
    return render("_board.html", {"ward_tz": ward_tz, **board_context(report, refresh_seconds)})


def _report(runtime: Any, user: PageUser) -> HandoffReport | None:
    if user.ward is None:
        return None
    return handoff_report(runtime.uow(), user.actor, ward_id=user.ward.id, record_shown=False)


def _remember_ward(request: Request, response: Response, user: PageUser) -> None:
    if request.query_params.get("ward") and user.ward is not None:
        response.set_cookie(
            WARD_COOKIE, str(user.ward.id), max_age=180 * 24 * 3600, samesite="lax", path="/"
        )


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, runtime: RuntimeDep, user: PageUserDep) -> Response:
    """The ward board (for a role that does not read patients' records: where to go)."""
    if not allowed(user.role, Permission.VIEW_RECOMMENDATION):
        return page(request, "board.html", user=user, active="board", rows=None, not_clinical=True)
    try:
        report = _report(runtime, user)
    except ServiceError as error:
        return error_page(request, user, error)
    extra: dict[str, Any] = {"rows": None, "not_clinical": False}
    if report is not None:
        extra = {**board_context(report, _refresh(request)), "not_clinical": False}
    response = page(request, "board.html", user=user, active="board", **extra)
    _remember_ward(request, response, user)
    return response


@router.get("/board/fragment", response_class=HTMLResponse)
def board_fragment(request: Request, runtime: RuntimeDep, user: PageUserDep) -> Response:
    """The board alone, for htmx to swap in place."""
    try:
        report = _report(runtime, user)
    except ServiceError as error:
        return error_page(request, user, error, fragment=True)
    if report is None:
        return HTMLResponse('<section id="board"><p>No ward is set up yet.</p></section>')
    ward_tz = user.ward.timezone if user.ward is not None else "UTC"
    return HTMLResponse(render_board(report, ward_tz=ward_tz, refresh_seconds=_refresh(request)))
