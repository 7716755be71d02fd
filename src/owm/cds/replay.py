"""The memory of CDS client JWT ids (`jti`) already accepted: each token is used once.

Two stores, one rule ("accept (iss, jti) once until the token expires"):

- `MemoryReplays`: this process only; for a server without a database (tests,
  the benchmark, a single process). With several processes a captured token
  could be replayed once against each of them.
- `DatabaseReplays`: the `cds_seen_token` table, shared by every process and
  machine on the same database (`owm.service.cds_hooks.accept_token_once`: two
  processes accepting the same token at the same moment collide on its key and
  only one wins). Rows whose token has expired are deleted now and then (at most
  once a minute per process).

`cds_router` uses the database store whenever it is given a database.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Protocol

from owm.http.runtime import UowFactory
from owm.service.cds_hooks import accept_token_once

__all__ = ["SWEEP_SECONDS", "DatabaseReplays", "MemoryReplays", "ReplayStore"]

SWEEP_SECONDS = 60.0
"""Expired entries are removed at most this often (per process)."""


class ReplayStore(Protocol):
    blocking: bool
    """True when `first_use` does I/O (the caller runs it off the event loop)."""

    def first_use(self, iss: str, jti: str, exp: float, now: float) -> bool:
        """Remember (iss, jti) until `exp`; False when it was seen before and has not expired."""
        ...


class MemoryReplays:
    """The `jti` values seen per issuer in this process, each kept until its token's `exp`."""

    blocking = False

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def first_use(self, iss: str, jti: str, exp: float, now: float) -> bool:
        with self._lock:
            if now >= self._next_sweep:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
                self._next_sweep = now + SWEEP_SECONDS
            key = (iss, jti)
            until = self._seen.get(key)
            if until is not None and until > now:
                return False
            self._seen[key] = exp
            return True

    def __len__(self) -> int:
        return len(self._seen)


class DatabaseReplays:
    """Seen `jti` values in the database (table `cds_seen_token`), shared by all processes."""

    blocking = True

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow
        self._next_sweep = 0.0
        self._lock = threading.Lock()

    def _sweep_due(self, now: float) -> bool:
        with self._lock:
            if now < self._next_sweep:
                return False
            self._next_sweep = now + SWEEP_SECONDS
            return True

    def first_use(self, iss: str, jti: str, exp: float, now: float) -> bool:
        return accept_token_once(
            self.uow(),
            iss=iss,
            jti=jti,
            expires_at=datetime.fromtimestamp(exp, UTC),
            now=datetime.fromtimestamp(now, UTC),
            sweep=self._sweep_due(now),
        )
