"""Signing in and out over HTTP: the login rate limit, tokens and page sessions.

Both ways in (`POST /api/tokens` for programs, `POST /login` for pages) go
through `sign_in`: refused with 429 while the username or the address is over the
limit, otherwise the password is checked by the service (which audits attempts
for known usernames; unknown ones are audited here), and a failure is counted.
A page session is an API token named "web session" inside a signed cookie (see
`owm.http.sessions`); signing out revokes it.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from starlette.responses import Response

from owm.http.csrf import set_csrf_cookie
from owm.http.errors import TooManyAttempts, Unauthorized
from owm.http.runtime import Runtime
from owm.http.sessions import (
    SESSION_TOKEN_NAME,
    SessionData,
    clear_session_cookie,
    new_csrf_token,
    set_session_cookie,
)
from owm.service.actor import Actor
from owm.service.errors import AuthenticationFailed, NotFound, PermissionDenied
from owm.service.results import IssuedToken
from owm.service.sign_in_audit import record_unknown_sign_in
from owm.service.users import authenticate, issue_token, revoke_token

__all__ = ["end_session", "issue_api_token", "sign_in", "start_session"]


def sign_in(runtime: Runtime, *, username: str, password: str, address: str | None) -> Actor:
    """The Actor for a username and password, or TooManyAttempts (429) / Unauthorized (401)."""
    wait = runtime.limiter.retry_after(username, address)
    if wait is not None:
        raise TooManyAttempts(wait)
    try:
        actor = authenticate(
            runtime.uow(), username=username, password=password, client_address=address
        )
    except AuthenticationFailed:
        runtime.limiter.failed(username, address)
        record_unknown_sign_in(runtime.uow(), username=username, client_address=address)
        raise Unauthorized("wrong username or password") from None
    runtime.limiter.succeeded(username)
    return actor


def issue_api_token(
    runtime: Runtime, actor: Actor, *, name: str, expires_in: timedelta
) -> IssuedToken:
    """A new API token for the signed-in actor."""
    assert actor.user_id is not None
    return issue_token(
        runtime.uow(), actor, user_id=actor.user_id, name=name, expires_in=expires_in
    )


def start_session(runtime: Runtime, actor: Actor, response: Response) -> SessionData:
    """Issue the session's token and set the session and CSRF cookies on `response`."""
    issued = issue_api_token(
        runtime, actor, name=SESSION_TOKEN_NAME, expires_in=runtime.settings.session_max_age
    )
    data = SessionData(token=issued.token, token_id=issued.info.id, csrf=new_csrf_token())
    secure = runtime.settings.cookie_secure
    set_session_cookie(response, runtime.signer, data, secure=secure)
    set_csrf_cookie(
        response,
        data.csrf,
        secure=secure,
        max_age=int(runtime.settings.session_max_age.total_seconds()),
    )
    return data


def end_session(
    runtime: Runtime, actor: Actor | None, session: SessionData | None, response: Response
) -> None:
    """Revoke the session's token (when still valid) and clear the cookies."""
    if actor is not None and session is not None:
        with suppress(NotFound, PermissionDenied):
            revoke_token(runtime.uow(), actor, token_id=session.token_id)
    clear_session_cookie(response, secure=runtime.settings.cookie_secure)
