"""Signing in and out of the ward pages: `GET /login`, `POST /login`, `POST /logout`.

The same machinery as the REST API (`owm.http.signin`): the login rate limit, the
password check and audit of the service layer, a session that is a revocable API
token inside a signed cookie. The sign-in form is protected by a double-submit
CSRF token (`owm_csrf` cookie = form field, see `owm.http.csrf`), so another site
cannot sign a browser in as someone else. `next` only ever sends the browser to
a path of this server.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.csrf import CSRF_COOKIE, set_csrf_cookie
from owm.http.deps import CheckedSession, ClientAddress, OptionalUser, RuntimeDep
from owm.http.errors import TooManyAttempts, Unauthorized
from owm.http.runtime import Runtime
from owm.http.sessions import new_csrf_token
from owm.http.signin import end_session, sign_in, start_session
from owm.web.pages import page

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in; anything else becomes the board (/)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if value.startswith("/login") or value.startswith("/logout"):
        return "/"
    return value


def _login_page(
    request: Request,
    runtime_secure: bool,
    token: str,
    *,
    status: int = 200,
    error: str | None = None,
    message: str | None = None,
    username: str = "",
    next_path: str = "/",
) -> HTMLResponse:
    response = page(
        request,
        "login.html",
        user=None,
        status_code=status,
        csrf_token=token,
        error=error,
        message=message,
        username=username,
        next=safe_next(next_path),
    )
    set_csrf_cookie(response, token, secure=runtime_secure, max_age=None)
    return response


def login_page_for_visitor(request: Request) -> HTMLResponse:
    """The sign-in form, served in place at `/` to someone not signed in."""
    runtime: Runtime = request.app.state.owm
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    return _login_page(request, runtime.settings.cookie_secure, token)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, runtime: RuntimeDep, actor: OptionalUser, next: str = "/"
) -> Response:
    """The sign-in form; someone already signed in goes straight on."""
    if actor is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    message = "You have signed out." if request.query_params.get("signed_out") else None
    return _login_page(
        request, runtime.settings.cookie_secure, token, message=message, next_path=next
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    runtime: RuntimeDep,
    address: ClientAddress,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the form's CSRF token against the cookie, sign in, start the session."""
    secure = runtime.settings.cookie_secure
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(
            request,
            secure,
            new_csrf_token(),
            status=403,
            error="The sign-in form had expired; please sign in again.",
            username=username,
            next_path=next,
        )
    if not username.strip() or not password:
        return _login_page(
            request,
            secure,
            cookie,
            status=422,
            error="Enter your username and your password.",
            username=username,
            next_path=next,
        )
    try:
        actor = sign_in(runtime, username=username.strip(), password=password, address=address)
    except TooManyAttempts as refused:
        response = _login_page(
            request, secure, cookie, status=429, error=str(refused), username=username
        )
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except Unauthorized as refused:
        return _login_page(
            request,
            secure,
            cookie,
            status=401,
            error=f"Not signed in: {refused}.",
            username=username,
            next_path=next,
        )
    redirect = RedirectResponse(safe_next(next), status_code=303)
    start_session(runtime, actor, redirect)
    return redirect


@router.post("/logout")
def logout(runtime: RuntimeDep, session: CheckedSession, actor: OptionalUser) -> Response:
    """End the session (the CSRF token is checked first) and go back to the sign-in page."""
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    end_session(runtime, actor, session, response)
    return response
