"""The dependencies routes declare, each named once as an `Annotated` alias.

Routes read like their use case: `def give(episode_id: int, body: GiveIn,
uow: UowDep, actor: CurrentUser)`. `UowDep` is a fresh unit of work per request:
the service it is passed to opens, commits or rolls back its own transaction, so
a route never commits. `CurrentUser` is the signed-in person as an `Actor`, from
`Authorization: Bearer <token>` or from the session cookie (which, for a change,
also needs the CSRF token: see `owm.http.csrf`). `requires(permission)` refuses a
role the permission matrix does not allow before the body is even read (the
service checks again against the stored user).

The web pages reuse these: `OptionalUser` is None for a visitor instead of 401,
and `CurrentSession` gives a page the CSRF token to put into its forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from owm.http.csrf import SAFE_METHODS, check_csrf
from owm.http.errors import Unauthorized
from owm.http.runtime import Runtime
from owm.http.sessions import SESSION_COOKIE, SessionData
from owm.service.actor import Actor
from owm.service.errors import AuthenticationFailed
from owm.service.permissions import Permission, require
from owm.service.users import authenticate_token
from owm.store.uow import UnitOfWork

__all__ = [
    "CheckedSession",
    "ClientAddress",
    "Credentials",
    "CredentialsDep",
    "CurrentSession",
    "CurrentUser",
    "OptionalUser",
    "RuntimeDep",
    "UowDep",
    "client_address",
    "get_checked_session",
    "get_credentials",
    "get_current_session",
    "get_current_user",
    "get_optional_user",
    "get_runtime",
    "get_uow",
    "requires",
]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.owm
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_uow(runtime: RuntimeDep) -> UnitOfWork:
    return runtime.uow()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def client_address(request: Request) -> str | None:
    """The client's address as the server sees it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else None


ClientAddress = Annotated[str | None, Depends(client_address)]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the request presented: a bearer token, or a session cookie (with its data)."""

    kind: Literal["bearer", "session"]
    token: str
    session: SessionData | None = None


_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API token from POST /api/tokens (or `owm user token`).",
)


async def get_credentials(
    request: Request,
    runtime: RuntimeDep,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)] = None,
) -> Credentials | None:
    """The request's credentials, or None when it has none.

    A malformed Authorization header, or a session cookie that is forged or too
    old, is 401. A cookie-authenticated change without the session's CSRF token is
    403. A request with a bearer token ignores any cookie.
    """
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        return Credentials("bearer", value.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return None
    data = runtime.signer.loads(cookie)
    if data is None:
        raise Unauthorized("your session has ended; sign in again")
    if request.method not in SAFE_METHODS:
        await check_csrf(request, data.csrf)
    return Credentials("session", data.token, data)


CredentialsDep = Annotated[Credentials | None, Depends(get_credentials)]


def get_current_user(credentials: CredentialsDep, uow: UowDep, address: ClientAddress) -> Actor:
    """The signed-in person, or 401."""
    if credentials is None:
        raise Unauthorized()
    try:
        return authenticate_token(uow, token=credentials.token, client_address=address)
    except AuthenticationFailed:
        if credentials.kind == "session":
            raise Unauthorized("your session has ended; sign in again") from None
        raise Unauthorized("the token is unknown, expired or revoked") from None


CurrentUser = Annotated[Actor, Depends(get_current_user)]


def get_optional_user(
    request: Request, runtime: RuntimeDep, address: ClientAddress
) -> Actor | None:
    """The signed-in person, or None for a visitor (for pages; never raises 401)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    token: str | None = value.strip() if scheme.lower() == "bearer" and value.strip() else None
    if token is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        data = runtime.signer.loads(cookie) if cookie else None
        token = data.token if data else None
    if token is None:
        return None
    try:
        return authenticate_token(runtime.uow(), token=token, client_address=address)
    except AuthenticationFailed:
        return None


OptionalUser = Annotated[Actor | None, Depends(get_optional_user)]


def get_current_session(request: Request, runtime: RuntimeDep) -> SessionData | None:
    """The page session's data (its CSRF token for forms), or None without a valid cookie."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return runtime.signer.loads(cookie) if cookie else None


CurrentSession = Annotated[SessionData | None, Depends(get_current_session)]


async def get_checked_session(request: Request, session: CurrentSession) -> SessionData | None:
    """The page session for a change: its CSRF token must be presented (403 otherwise)."""
    if session is not None and request.method not in SAFE_METHODS:
        await check_csrf(request, session.csrf)
    return session


CheckedSession = Annotated[SessionData | None, Depends(get_checked_session)]


def requires(permission: Permission) -> Any:
    """A route dependency: 403 unless the signed-in role holds `permission` (the matrix)."""

    def check(actor: CurrentUser) -> Actor:
        require(actor.role, permission)
        return actor

    check.__name__ = f"requires_{permission.name.lower()}"
    return Depends(check)
