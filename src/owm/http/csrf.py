"""CSRF protection for requests authenticated by the session cookie.

Why: a browser sends the session cookie with any request to owm, including one a
hostile page makes it send. Every cookie-authenticated request that changes
something (POST, PUT, PATCH, DELETE) must therefore also present the session's
CSRF token, which another site cannot read: in the `X-CSRF-Token` header (scripts,
htmx) or in a `csrf_token` form field (HTML forms). The expected token lives inside
the signed session cookie (a synchronizer token that needs no server state) and is
also sent in the readable `owm_csrf` cookie, so page scripts can copy it into the
header. Requests with `Authorization: Bearer` carry no ambient credentials and need
no CSRF token.

The login form has no session yet: `GET /login` sets `owm_csrf` to a fresh token
and puts the same token into the form; `POST /login` requires both to match
(double submit), so another site cannot sign a browser in as someone else.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.responses import Response

from owm.http.errors import CsrfFailed

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "check_csrf",
    "presented_csrf_token",
    "set_csrf_cookie",
]

CSRF_COOKIE = "owm_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def presented_csrf_token(request: Request) -> str | None:
    """The CSRF token the request presents: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORM_TYPES:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) and value else None
    return None


async def check_csrf(request: Request, expected: str) -> None:
    """Raise CsrfFailed unless the request presents `expected`."""
    presented = await presented_csrf_token(request)
    if presented is None:
        raise CsrfFailed(
            f"this change needs the CSRF token: send the {CSRF_HEADER} header or the "
            f"{CSRF_FIELD} form field (or use Authorization: Bearer)"
        )
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise CsrfFailed("the CSRF token does not match this session; reload the page")


def set_csrf_cookie(response: Response, token: str, *, secure: bool, max_age: int | None) -> None:
    """Send the CSRF token in the readable `owm_csrf` cookie."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="lax",
    )
