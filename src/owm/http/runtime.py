"""What one running app holds: settings, the database engine, the clock, the login limiter.

Why one object: the app factory makes it once and every request reaches it through
`request.app.state.owm` (see `owm.http.deps`), so two apps in one process (tests, a
benchmark) never share a database or a limiter by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from owm.http.ratelimit import LoginLimiter
from owm.http.sessions import SessionSigner
from owm.http.settings import ApiSettings
from owm.http.write_gate import GatedUnitOfWork, WriteGate
from owm.store.uow import Clock, UnitOfWork

__all__ = ["Runtime", "UowFactory"]

UowFactory = Callable[[], UnitOfWork]
"""Makes a new unit of work: what an adapter is given to reach the services (`Runtime.uow`)."""


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: ApiSettings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    limiter: LoginLimiter
    signer: SessionSigner
    write_gate: WriteGate | None = None
    """On SQLite: write transactions queue in arrival order (see owm.http.write_gate)."""

    def uow(self) -> UnitOfWork:
        """A new unit of work (one per request; services open and close its transactions)."""
        if self.write_gate is not None:
            return GatedUnitOfWork(self.sessions, clock=self.clock, gate=self.write_gate)
        return UnitOfWork(self.sessions, clock=self.clock)
