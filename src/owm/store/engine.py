"""Where the database is (from the environment), and the one place that makes its engine.

Why here: the CLI, the server, the demo and the tests all open the same kind of
database with the same guarantees, so the choices that make them safe live in one
function:

- SQLite (the embedded default, `./var/owm.db` or `$OWM_DATA_DIR/owm.db`, the folder
  created on first run): WAL journal (readers never block the writer), foreign keys
  on, a busy timeout (writers wait for each other instead of failing), synchronous
  FULL (a committed write survives a crash), and every write transaction opened with
  `BEGIN IMMEDIATE`, which takes the write lock at the start: two writers for the same
  patient are serialised before either reads the record it decides on.
- PostgreSQL (`postgresql+psycopg://...`, psycopg 3): sessions in UTC; per-patient
  serialisation is done with row locks by the service layer.

Environment variables:
    OWM_DATABASE_URL   SQLAlchemy URL; default sqlite:///<data dir>/owm.db
    OWM_DATA_DIR       folder of the default SQLite file; default ./var
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = [
    "BEGIN_MODE_OPTION",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Settings",
    "is_sqlite",
    "make_engine",
    "settings_from_env",
]

SQLITE_BUSY_TIMEOUT_MS = 60_000
"""How long a SQLite writer waits for another writer before giving up."""

BEGIN_MODE_OPTION = "owm_sqlite_begin"
"""Execution option naming the SQLite BEGIN mode of a transaction: "IMMEDIATE" (the
default: a write transaction) or "DEFERRED" (a read that must not wait for writers)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What owm reads from the environment."""

    database_url: str
    data_dir: Path


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("OWM_DATA_DIR") or "var").resolve()
    url = env.get("OWM_DATABASE_URL") or f"sqlite:///{data_dir / 'owm.db'}"
    return Settings(database_url=url, data_dir=data_dir)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver; the "begin" event below emits it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE_OPTION, "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED"):
            raise ValueError(f"{BEGIN_MODE_OPTION} {mode!r}; allowed: IMMEDIATE, DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 20, echo: bool = False
) -> Engine:
    """An engine for `url` with owm's guarantees (see the module docstring).

    SQLite: the folder of the database file is created if missing. PostgreSQL:
    `postgresql+psycopg://` URLs; sessions run in UTC.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _prepare_sqlite_file(url)
        engine = create_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _sqlite_events(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ValueError(
                f"OWM_DATABASE_URL driver {parsed.get_driver_name()!r} is not supported; "
                "allowed: postgresql+psycopg://"
            )
        return create_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            connect_args={"options": "-c timezone=UTC"},
        )
    raise ValueError(
        f"OWM_DATABASE_URL backend {backend!r} is not supported; allowed: sqlite, postgresql+psycopg"
    )
