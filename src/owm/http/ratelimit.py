"""Login rate limiting: so many failed logins per username and per client address in a window.

Why both keys: a limit per username stops guessing one person's password from many
addresses; a limit per address stops one machine trying many usernames. While a
key is over the limit every login for it is refused with 429 and `Retry-After`
(the password is not even checked, so a guess that happens to be right is not
confirmed), until its oldest failure leaves the window. A successful login clears
the username's failures, not the address's.

The counts live in the memory of one server process: with `--workers N` each
worker keeps its own, so a determined guesser gets at most N times the limit.
Failures are also written to the audit trail, which is where they are reviewed.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

__all__ = ["LoginLimiter"]

MAX_KEYS = 100_000
"""Beyond this many tracked keys the stalest are dropped (memory stays bounded)."""


class LoginLimiter:
    """Failed-login counts per username and per client address, over a sliding window."""

    def __init__(
        self,
        max_failures: int,
        window: timedelta,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self.max_failures = max_failures
        self.window = window.total_seconds()
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str | None) -> list[str]:
        keys = [f"user:{username.strip().casefold()}"]
        if address:
            keys.append(f"addr:{address}")
        return keys

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, username: str, address: str | None) -> int | None:
        """Seconds to wait when this login is over the limit now, else None."""
        now = self._clock()
        waits: list[float] = []
        with self._lock:
            for key in self._keys(username, address):
                times = self._recent(key, now)
                if times is not None and len(times) >= self.max_failures:
                    # Allowed again once enough failures have left the window.
                    oldest_that_matters = times[len(times) - self.max_failures]
                    waits.append(oldest_that_matters + self.window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self, username: str, address: str | None) -> None:
        """Count one failed login for the username and the address."""
        now = self._clock()
        with self._lock:
            for key in self._keys(username, address):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > MAX_KEYS:
                stalest = sorted(self._failures, key=lambda k: self._failures[k][-1])
                for key in stalest[: len(self._failures) - MAX_KEYS]:
                    del self._failures[key]

    def succeeded(self, username: str) -> None:
        """Clear the username's failures after a successful login."""
        with self._lock:
            self._failures.pop(self._keys(username, None)[0], None)
