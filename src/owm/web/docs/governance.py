"""Clinical governance: problem reports and which alerts the unit overrides.

GET  /problems/new?recommendation_id=&episode_id=   "report a problem with this
POST /problems/new                                   recommendation": a short form,
                                                     stored with the recommendation
                                                     shown and its protocol version
GET  /governance/problems[?status=open|closed]      the reports, for reviewers
POST /governance/problems/{id}/close                close one with what was done
GET  /governance/overrides[?days=30]                acknowledgements and overrides
                                                     per rule and per prescriber

`report_problem_link` (in `templates/docs/_governance.html`) is the button every
answer carries: the recommendation panel and the handoff import it.

A report form sent twice is stored once: the form carries a one-time key, stored
with the report under a unique index (per reporter), so the same form again is
answered with the report it made, on any server process.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.deps import UowDep
from owm.service.errors import InputError, ServiceError
from owm.service.feedback import close_problem_report, report_problem
from owm.service.overrides_report import overrides_report
from owm.service.problem_review import problems_for_review, recommendation_to_report
from owm.web.docs.common import ward_context
from owm.web.errors import error_page, field_errors
from owm.web.forms import FormProblems, new_key, optional_int, text
from owm.web.pages import NavItem, PageUser, PageUserDep, add_nav, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_REVIEWERS = frozenset({"physician", "pharmacist", "admin"})
add_nav(
    NavItem(
        key="problems",
        label="Problem reports",
        href="/governance/problems",
        order=80,
        roles=_REVIEWERS,
    )
)
add_nav(
    NavItem(
        key="overrides", label="Overrides", href="/governance/overrides", order=85, roles=_REVIEWERS
    )
)


def _extra(user: PageUser) -> dict[str, Any]:
    return ward_context(user.ward) if user.ward is not None else {}


def _report_form(
    request: Request,
    user: PageUser,
    uow: UowDep,
    *,
    recommendation_id: int | None,
    episode_id: int | None,
    values: dict[str, str],
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    shown = (
        recommendation_to_report(uow, user.actor, recommendation_id=recommendation_id)
        if recommendation_id is not None
        else None
    )
    return page(
        request,
        "docs/report_problem.html",
        user=user,
        status_code=status_code,
        shown=shown,
        recommendation_id=recommendation_id,
        episode_id=shown.episode_id if shown is not None else episode_id,
        values=values,
        errors=errors or {},
        **_extra(user),
    )


@router.get("/problems/new", response_class=HTMLResponse)
def new_problem(
    request: Request,
    user: PageUserDep,
    uow: UowDep,
    recommendation_id: int | None = None,
    episode_id: int | None = None,
    back: str = "",
) -> Response:
    try:
        return _report_form(
            request,
            user,
            uow,
            recommendation_id=recommendation_id,
            episode_id=episode_id,
            values={"text": "", "key": new_key(), "back": _safe_back(back)},
        )
    except ServiceError as error:
        return error_page(request, user, error)


def _safe_back(value: str) -> str:
    """A path on this server to return to (never another site)."""
    return value if value.startswith("/") and not value.startswith("//") else ""


@router.post("/problems/new", response_class=HTMLResponse)
async def store_problem(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    form = await request.form()
    problems = FormProblems()
    recommendation_id = optional_int(form, "recommendation_id", problems)
    episode_id = optional_int(form, "episode_id", problems)
    key = text(form, "key") or new_key()
    values = {"text": text(form, "text"), "key": key, "back": _safe_back(text(form, "back"))}
    try:
        problems.raise_if_any()
        report = report_problem(
            uow,
            user.actor,
            text=values["text"],
            recommendation_id=recommendation_id,
            episode_id=None if recommendation_id is not None else episode_id,
            idempotency_key=key,
        )
    except InputError as error:
        try:
            return _report_form(
                request,
                user,
                uow,
                recommendation_id=recommendation_id,
                episode_id=episode_id,
                values=values,
                errors=field_errors(error),
                status_code=422,
            )
        except ServiceError as other:
            return error_page(request, user, other)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/problem_stored.html",
        user=user,
        report=report,
        back=values["back"],
        **_extra(user),
    )


@router.get("/governance/problems", response_class=HTMLResponse)
def problem_list(
    request: Request, user: PageUserDep, uow: UowDep, status: str = "open"
) -> Response:
    try:
        reports = problems_for_review(uow, user.actor, status=status or None)
    except InputError:
        status = "open"
        try:
            reports = problems_for_review(uow, user.actor, status=status)
        except ServiceError as error:
            return error_page(request, user, error)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/problems.html",
        user=user,
        active="problems",
        reports=reports,
        status=status,
        errors={},
        **_extra(user),
    )


@router.post("/governance/problems/{report_id}/close", response_class=HTMLResponse)
async def close_problem(
    request: Request, report_id: int, user: PageUserDep, uow: UowDep
) -> Response:
    form = await request.form()
    try:
        close_problem_report(
            uow, user.actor, report_id=report_id, resolution=text(form, "resolution")
        )
    except InputError as error:
        try:
            reports = problems_for_review(uow, user.actor, status="open")
        except ServiceError as other:
            return error_page(request, user, other)
        return page(
            request,
            "docs/problems.html",
            user=user,
            active="problems",
            reports=reports,
            status="open",
            errors={report_id: field_errors(error)},
            status_code=422,
            **_extra(user),
        )
    except ServiceError as error:
        return error_page(request, user, error)
    return RedirectResponse("/governance/problems?status=open", status_code=303)


@router.get("/governance/overrides", response_class=HTMLResponse)
def overrides(request: Request, user: PageUserDep, uow: UowDep, days: str = "30") -> Response:
    errors: dict[str, Any] = {}
    period = 30
    try:
        try:
            period = int(days)
            report = overrides_report(uow, user.actor, days=period, protocol_id=_protocol_id(user))
        except (ValueError, InputError) as bad:
            errors = (
                field_errors(bad)
                if isinstance(bad, InputError)
                else field_errors(InputError("days", days, "a whole number of days from 1 to 3650"))
            )
            period = 30
            report = overrides_report(uow, user.actor, days=period, protocol_id=_protocol_id(user))
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/overrides.html",
        user=user,
        active="overrides",
        report=report,
        days_value=days if errors else str(period),
        errors=errors,
        status_code=422 if errors else 200,
        **_extra(user),
    )


def _protocol_id(user: PageUser) -> str:
    return user.ward.protocol_id if user.ward is not None else "clonazepam-adjunct"
