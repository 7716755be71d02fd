"""The minimal pages: `/` and `/login` (sign in), `POST /login`, `POST /logout`.

Why here: a visitor who opens owm must meet a way to sign in, and the session
cookie and its CSRF protection need a form to come from. The ward's pages (issue
4) replace the HTML and reuse the same pieces: `sign_in`, `start_session`,
`end_session` (owm.api.auth) and the CSRF rules (owm.api.csrf).
"""

from __future__ import annotations

import hmac
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.api.auth import end_session, sign_in, start_session
from owm.api.csrf import CSRF_COOKIE, CSRF_FIELD, set_csrf_cookie
from owm.api.deps import CheckedSession, ClientAddress, CurrentSession, OptionalUser, RuntimeDep
from owm.api.errors import TooManyAttempts, Unauthorized
from owm.api.sessions import new_csrf_token

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_NOTICE = (
    "owm is decision support for licensed clinicians in a supervised setting. "
    "It never doses by itself: a clinician decides and acts."
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — owm</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }}
label {{ display: block; margin-top: 1rem; }}
input {{ width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }}
button {{ margin-top: 1.25rem; padding: .5rem 1.25rem; font-size: 1rem; }}
.error {{ color: #a00; font-weight: bold; }}
.notice {{ color: #444; font-size: .9rem; margin-top: 2rem; }}
</style></head>
<body>
<h1>owm</h1>
{body}
<p class="notice">{escape(_NOTICE)}</p>
</body></html>"""
    return HTMLResponse(html, status_code=status)


def _login_page(
    csrf: str, *, error: str | None = None, username: str = "", status: int = 200
) -> HTMLResponse:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = f"""<h2>Sign in</h2>
{message}
<form method="post" action="/login">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="{escape(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="/docs">API documentation</a></p>"""
    return _page("Sign in", body, status)


def _with_login_csrf(response: HTMLResponse, token: str, secure: bool) -> HTMLResponse:
    set_csrf_cookie(response, token, secure=secure, max_age=None)
    return response


def _login_csrf(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or new_csrf_token()


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, runtime: RuntimeDep, actor: OptionalUser, session: CurrentSession
) -> HTMLResponse:
    """The login page for a visitor; who is signed in, with a sign-out button, otherwise."""
    if actor is None or session is None:
        token = _login_csrf(request)
        return _with_login_csrf(_login_page(token), token, runtime.settings.cookie_secure)
    body = f"""<p>Signed in (role: {escape(actor.role)}).</p>
<p><a href="/docs">API documentation</a></p>
<form method="post" action="/logout">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(session.csrf)}">
<button type="submit">Sign out</button>
</form>"""
    return _page("owm", body)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    token = _login_csrf(request)
    return _with_login_csrf(_login_page(token), token, runtime.settings.cookie_secure)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    runtime: RuntimeDep,
    address: ClientAddress,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the form's CSRF token against the cookie, sign in, start the session."""
    secure = runtime.settings.cookie_secure
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        token = new_csrf_token()
        page = _login_page(
            token,
            error="The sign-in form had expired; please sign in again.",
            username=username,
            status=403,
        )
        return _with_login_csrf(page, token, secure)
    try:
        actor = sign_in(runtime, username=username, password=password, address=address)
    except TooManyAttempts as refused:
        page = _login_page(cookie, error=str(refused), username=username, status=429)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    except Unauthorized as refused:
        return _login_page(cookie, error=str(refused), username=username, status=401)
    response = RedirectResponse("/", status_code=303)
    start_session(runtime, actor, response)
    return response


@router.post("/logout")
def logout(runtime: RuntimeDep, session: CheckedSession, actor: OptionalUser) -> Response:
    """End the session (the CSRF token is checked first) and go back to the login page."""
    response = RedirectResponse("/login", status_code=303)
    end_session(runtime, actor, session, response)
    return response
