"""The one fixture that runs every store, service and API test on every database.

`database` is parametrised over SQLite (a temporary file) and PostgreSQL
(`OWM_TEST_POSTGRES_URL`, which `scripts/test` always sets). Each test gets a
database of its own at the newest migration: a copy of a migrated SQLite file, or
a PostgreSQL database cloned from a template migrated once per test session (all
created and dropped here). Without `OWM_TEST_POSTGRES_URL` the PostgreSQL cases
fail rather than skip: a suite that silently ran on one database would hide the
bugs that only the other one has. `--databases sqlite` (scripts/test-fast) leaves
the PostgreSQL cases out on purpose, and pytest reports them as deselected.

Parallel runs (pytest-xdist) are safe: each worker has its own temporary folder
(so its own SQLite template) and its own PostgreSQL template, named after its
process id; every test's database is a fresh copy of its worker's template.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# argon2's cheapest parameters: test passwords need no protection, and hashing stays fast.
os.environ.setdefault("OWM_PASSWORD_PROFILE", "cheapest")

DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--databases",
        default=",".join(DATABASES),
        help="comma-separated databases to run the store and API tests on "
        f"(default: {','.join(DATABASES)})",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the cases of the databases that --databases leaves out."""
    chosen = {name.strip() for name in str(config.getoption("--databases")).split(",")}
    unknown = chosen - set(DATABASES)
    if unknown:
        raise pytest.UsageError(
            f"--databases: {', '.join(sorted(unknown))} not allowed; allowed: {', '.join(DATABASES)}"
        )
    kept, left_out = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database") if callspec is not None else None
        (left_out if database is not None and database not in chosen else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@dataclass
class Database:
    """A migrated database for one test: its kind, URL and an owm engine on it."""

    kind: str
    url: str
    engine: Engine

    def uow(self, clock: object | None = None):  # type: ignore[no-untyped-def]
        """A unit of work on this database (with `clock`, e.g. a FixedClock)."""
        from owm.store.uow import UnitOfWork, session_factory

        sessions = session_factory(self.engine)
        return UnitOfWork(sessions) if clock is None else UnitOfWork(sessions, clock=clock)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from owm.store.migrate import migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "owm.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[tuple[Engine, str, str]]:
    from owm.store.migrate import migrate

    url = os.environ.get("OWM_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "OWM_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite cannot run. "
            "Run scripts/test, which starts PostgreSQL and sets it."
        )
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    template = f"owm_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    migrate(make_url(url).set(database=template).render_as_string(hide_password=False))
    try:
        yield admin, url, template
    finally:
        with admin.connect() as connection:
            rows = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{template}%"}
            ).scalars()
            for name in list(rows):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database of each kind (the test runs once per kind)."""
    from owm.store.engine import make_engine

    if request.param == "sqlite":
        path = tmp_path / "owm.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url, pool_size=20, max_overflow=100)
        try:
            yield Database("sqlite", url, engine)
        finally:
            engine.dispose()
        return
    admin, base_url, template = request.getfixturevalue("_postgres_template")
    name = f"{template}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=20, max_overflow=100)
    try:
        yield Database("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
