"""Service errors as pages: what went wrong, in words, with the right HTTP status.

A page calls service functions and catches `ServiceError`; `error_page` answers
with the status the REST API would give (403 permission, 404 not found, 409
conflict, 422 bad input) and a page (or, for htmx, a fragment) that says what was
refused and why. Bad input on a form is not sent here: the form is rendered again
with `field_errors(error)` beside each field.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from owm.service.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    Problem,
    ServiceError,
)
from owm.web.pages import PageUser, page
from owm.web.templating import render

__all__ = ["error_page", "field_errors", "status_for"]


def status_for(error: ServiceError) -> int:
    """The HTTP status of a service error (as the REST API answers it)."""
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, InputError):
        return 422
    if isinstance(error, Conflict):
        return 409
    return 400


_TITLES = {
    403: "Not allowed for your role",
    404: "Not found",
    409: "Not done",
    422: "Not accepted",
    400: "Not done",
}


def field_errors(error: InputError, prefix: str = "") -> dict[str, Problem]:
    """The problems of a refused form by field name (without `prefix`); the first per field.

    A problem whose field is not on the form is kept under its own name; the
    template shows those in the form's error box (`_form` and unknown names).
    """
    found: dict[str, Problem] = {}
    for problem in error.problems:
        name = problem.field.removeprefix(prefix)
        found.setdefault(name, problem)
    return found


def error_page(
    request: Request, user: PageUser | None, error: ServiceError, *, fragment: bool = False
) -> HTMLResponse:
    """A page (or an htmx fragment) saying what the service refused."""
    status = status_for(error)
    context: dict[str, Any] = {"title": _TITLES[status], "message": str(error), "status": status}
    if fragment:
        return HTMLResponse(render("_error.html", context), status_code=status)
    return page(request, "error.html", user=user, status_code=status, **context)
