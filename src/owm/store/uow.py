"""The unit of work: one transaction per use case, rolled back unless committed.

Every service function reads `with uow: ... uow.commit()` (cosmicpython,
chapter 6): leaving the block without `commit()` (an error, an early return)
rolls everything back, so nothing is half-written. A write transaction on SQLite
opens with `BEGIN IMMEDIATE` (see `owm.store.engine`), which serialises writers before
they read anything; `uow.read()` opens a deferred transaction for pure reads,
which never waits for writers.

The clock is part of the unit of work so that tests control time: services ask
`uow.now()` and never read the system clock themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from owm.store.engine import BEGIN_MODE_OPTION

__all__ = ["Clock", "FixedClock", "UnitOfWork", "session_factory", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told (for tests and the demo)."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware time")
        self.moment = moment.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for `engine`; objects stay readable after commit (results are built from them)."""
    return sessionmaker(engine, expire_on_commit=False)


class UnitOfWork:
    """A transaction on one session; `with uow:` writes, `with uow.read():` reads."""

    session: Session

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self.clock = clock
        self._read_only = False
        self._active = False

    def now(self) -> datetime:
        """The unit of work's clock, timezone-aware UTC."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock returned a time without a time zone")
        return moment.astimezone(UTC)

    def read(self) -> Self:
        """Enter as a read-only transaction (deferred on SQLite; nothing may be committed)."""
        self._read_only = True
        return self

    def __enter__(self) -> Self:
        if self._active:
            raise RuntimeError(
                "this unit of work is already in use; nest service calls by passing data"
            )
        self._active = True
        self.session = self._sessions()
        mode = "DEFERRED" if self._read_only else "IMMEDIATE"
        self.session.connection(execution_options={BEGIN_MODE_OPTION: mode})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._active = False
            self._read_only = False

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
