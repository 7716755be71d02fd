"""Page sessions: a signed, HttpOnly cookie that carries a server-side session token.

Why a token inside the cookie: signing alone would make a session impossible to
end before it expires. Signing in issues an ordinary API token named
"web session" (stored only as its hash, like every token) and puts it, with its
id and a CSRF token, into a cookie signed with the server's secret key. Each
request checks the signature and then the token in the database, so signing out
(the token is revoked), deactivating the user or revoking the session from the
token list ends it at once, in every server process.

Cookies: `owm_session` (HttpOnly, SameSite=Lax, Secure when OWM_COOKIE_SECURE=1,
Max-Age = the session length) and `owm_csrf` (readable by the page's scripts,
same flags otherwise), see `owm.http.csrf`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

__all__ = [
    "SESSION_COOKIE",
    "SESSION_TOKEN_NAME",
    "SessionData",
    "SessionSigner",
    "clear_session_cookie",
    "new_csrf_token",
    "set_session_cookie",
]

SESSION_COOKIE = "owm_session"
SESSION_TOKEN_NAME = "web session"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class SessionData:
    """What the session cookie carries: the session's API token, its id, and the CSRF token."""

    token: str
    token_id: int
    csrf: str


class SessionSigner:
    """Signs and checks session cookies with the server's secret key."""

    def __init__(self, secret_key: str, max_age: timedelta) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="owm-session")
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        return self._serializer.dumps({"t": data.token, "i": data.token_id, "c": data.csrf})

    def loads(self, text: str) -> SessionData | None:
        """The session in a cookie, or None when it is forged, damaged or too old."""
        try:
            raw: Any = self._serializer.loads(text, max_age=int(self.max_age.total_seconds()))
        except BadSignature:
            return None
        if not (
            isinstance(raw, dict)
            and isinstance(raw.get("t"), str)
            and isinstance(raw.get("i"), int)
            and isinstance(raw.get("c"), str)
        ):
            return None
        return SessionData(token=raw["t"], token_id=raw["i"], csrf=raw["c"])


def set_session_cookie(
    response: Response, signer: SessionSigner, data: SessionData, *, secure: bool
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        signer.dumps(data),
        max_age=int(signer.max_age.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
