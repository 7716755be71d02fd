"""Fixtures of the page tests: a world (ward, one user per role, a fixed clock) on each
database, and the real application on it with every page installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from integration.helpers import World, make_world


@pytest.fixture
def world(database) -> World:  # type: ignore[no-untyped-def]
    return make_world(database)


@pytest.fixture
def app(database, world: World, tmp_path) -> Iterator[FastAPI]:  # type: ignore[no-untyped-def]
    import owm.web
    from owm.http.app import create_app
    from owm.http.settings import ApiSettings

    settings = ApiSettings(database_url=database.url, data_dir=tmp_path, secret_key="k" * 40)
    application = create_app(settings, engine=database.engine, clock=world.clock)
    if not any(getattr(r, "path", None) == "/handoff" for r in application.routes):
        owm.web.install(application)
    yield application
