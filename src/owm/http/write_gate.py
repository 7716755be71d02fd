"""First come, first served for write transactions on SQLite, within one server process.

Why: SQLite lets one writer in at a time. A request thread that finds the write
lock taken waits in SQLite's busy handler, which sleeps in growing steps (up to
0.1 s) and wakes in no particular order: under load some requests wait seconds
while later ones pass them (measured: p99 2.3 s against 0.5 s at 32 concurrent
recommendation requests). The server's threads therefore queue for the write
lock here, in arrival order, before `BEGIN IMMEDIATE`, and only one of them at a
time meets SQLite's lock. Nothing about what is serialised changes: SQLite
serialised these writers already. Several server processes on one SQLite file
still meet in SQLite's busy handler; PostgreSQL needs no gate (row locks queue).

The gate is re-entrant for the thread that holds it, so a unit of work entered
while the same thread holds the gate cannot deadlock.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from owm.store.uow import Clock, UnitOfWork

__all__ = ["GatedUnitOfWork", "WriteGate"]


class WriteGate:
    """A re-entrant lock that hands itself out in the order it was asked for."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._condition.wait()
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._condition:
            if self._owner != threading.get_ident():
                raise RuntimeError("the write gate is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._condition.notify_all()


class GatedUnitOfWork(UnitOfWork):
    """A unit of work whose write transactions pass the gate first (reads never wait)."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock, gate: WriteGate) -> None:
        super().__init__(sessions, clock=clock)
        self._gate = gate
        self._reading = False
        self._gated = False

    def read(self) -> Self:
        self._reading = True
        return super().read()

    def __enter__(self) -> Self:
        gated = not self._reading
        if gated:
            self._gate.acquire()
        try:
            entered = super().__enter__()
        except BaseException:
            # e.g. this unit of work is already in use: leave its state alone.
            if gated:
                self._gate.release()
            raise
        self._gated = gated
        return entered

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self._leave_gate()

    def _leave_gate(self) -> None:
        self._reading = False
        if self._gated:
            self._gated = False
            self._gate.release()
