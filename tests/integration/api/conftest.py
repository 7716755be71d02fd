"""The API on every database: the app on the test's database with the world's fixed clock.

`api` is a `World` (tests/integration/helpers.py: a ward, one user per role, a
clock) plus an app made by `create_app` on the same database, an in-process HTTP
client, and a bearer token for each role. Requests go through the whole app
(routing, authentication, validation, services, the real database); only the
socket is left out (tests/system/ runs real server processes).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package for its test client; httpx works the same
    # for these tests, and the project pins httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

__all__ = ["PASSWORD", "ROLES", "Api", "TestClient", "make_settings"]

from owm.http.app import create_app
from owm.http.settings import ApiSettings
from owm.service import users
from owm.service.actor import Actor

from ..helpers import World, make_world

ROLES = ("nurse", "physician", "pharmacist", "admin")
PASSWORD = "correct horse battery"


@dataclass
class Api:
    """The world, its app and client, and a token per role."""

    world: World
    client: TestClient
    settings: ApiSettings
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        """Headers that authenticate as the user of `role`."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def actor(self, role: str) -> Actor:
        actor: Actor = getattr(self.world, role)
        return actor

    def get(self, url: str, role: str | None = None, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.auth(role) if role else None, **kwargs)

    def post(self, url: str, role: str | None = None, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.auth(role) if role else None, **kwargs)

    def count(self, table: str) -> int:
        """Rows in `table`, read with SQL (not through the app)."""
        with self.world.db.engine.connect() as connection:
            value: int = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            return value

    def snapshot(self) -> dict[str, int]:
        """Row counts of every table: compared before and after a rejected request."""
        with self.world.db.engine.connect() as connection:
            names = [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                        if self.world.db.kind == "sqlite"
                        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                )
            ]
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in sorted(names)
            }


def make_settings(database: Any, tmp_path: Path, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "database_url": database.url,
        "data_dir": tmp_path,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
    }
    values.update(overrides)
    return ApiSettings(**values)


@pytest.fixture
def api(database: Any, tmp_path: Path) -> Iterator[Api]:
    world = make_world(database)
    settings = make_settings(database, tmp_path)
    app = create_app(settings, engine=database.engine, clock=world.clock)
    with TestClient(app) as client:
        result = Api(world=world, client=client, settings=settings)
        for role in ROLES:
            actor = result.actor(role)
            assert actor.user_id is not None
            issued = users.issue_token(world.uow(), actor, user_id=actor.user_id, name="test")
            result.tokens[role] = issued.token
        yield result
