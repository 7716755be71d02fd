"""The one way a command opens the ward's database and acts as someone on it.

Why one helper: `owm user add`, `owm user token`, `owm import`, `owm audit verify`
and `owm demo` all work on the database named by `OWM_DATABASE_URL` (default
SQLite in `./var`, see `owm.store.engine`), bring it to the newest schema first
(except a pure check of what is stored), and then act either as the system (the
person at the server's shell controls the database already) or as a named user
whose role the service layer checks like any other. Each call to `Database.uow()`
is a fresh unit of work for one service call; the engine is disposed of when the
`with` block ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from owm.service.actor import ROLES, Actor
from owm.service.results import UserView
from owm.service.users import list_users
from owm.store.engine import make_engine, settings_from_env
from owm.store.migrate import migrate
from owm.store.uow import Clock, UnitOfWork, session_factory, system_clock

__all__ = ["Database", "database_url", "open_database"]


def database_url() -> str:
    """The database the commands work on: OWM_DATABASE_URL, or SQLite under OWM_DATA_DIR."""
    return settings_from_env().database_url


@dataclass(frozen=True, slots=True)
class Database:
    """An open database: units of work on it, and the actors a command may act as."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    command: str
    """The command's name, as the system actor's name in the audit trail (e.g. "owm import")."""
    clock: Clock = system_clock

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one per service call)."""
        return UnitOfWork(self.sessions, clock=self.clock)

    @property
    def system(self) -> Actor:
        """The system, acting for the person at the server's shell (an admin)."""
        return Actor.system(self.command)

    def user(self, username: str) -> UserView | None:
        """The user with this exact username, or None when there is none."""
        found = [u for u in list_users(self.uow(), self.system) if u.username == username]
        return found[0] if found else None

    @staticmethod
    def acting_as(user: UserView) -> Actor:
        """The actor of a stored user (the service layer checks the role again on every call)."""
        for role in ROLES:
            if user.role == role:
                return Actor(user_id=user.id, role=role)
        raise ValueError(f"user {user.username!r}: role {user.role!r}; allowed: {', '.join(ROLES)}")


@contextmanager
def open_database(
    command: str,
    *,
    url: str | None = None,
    migrated: bool = True,
    clock: Clock = system_clock,
    pool_size: int = 1,
) -> Iterator[Database]:
    """Open the database at `url` (default: `database_url()`), migrated first unless
    `migrated` is False, for the command named `command`; closed when the block ends."""
    url = url or database_url()
    if migrated:
        migrate(url)
    engine = make_engine(url, pool_size=pool_size)
    try:
        yield Database(url, engine, session_factory(engine), command, clock)
    finally:
        engine.dispose()
