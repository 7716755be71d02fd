"""A signed-in browser without the browser: a TestClient with a session cookie and the
session's CSRF token on every form, for the page tests (fixtures in conftest.py)."""

from __future__ import annotations

import warnings

from fastapi import FastAPI

from integration.helpers import World
from owm.http.sessions import SESSION_COOKIE, SessionData, new_csrf_token
from owm.service.users import issue_token

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package for its test client; the project pins httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


class Browserish:
    """A TestClient signed in as one user, which sends the CSRF token with forms."""

    def __init__(self, app: FastAPI, world: World, role: str) -> None:
        actor = getattr(world, role)
        issued = issue_token(world.uow(), actor, user_id=actor.user_id, name="web session")
        self.csrf = new_csrf_token()
        data = SessionData(token=issued.token, token_id=issued.info.id, csrf=self.csrf)
        self.client = TestClient(app, follow_redirects=True)
        self.client.cookies.set(SESSION_COOKIE, app.state.owm.signer.dumps(data))

    def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
        return self.client.post(path, data={"csrf_token": self.csrf, **data})


def as_role(app: FastAPI, world: World, role: str) -> Browserish:
    """A browser signed in as the world's user of `role`."""
    return Browserish(app, world, role)
