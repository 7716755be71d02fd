"""Time in moderate or worse withdrawal without a dose, and time since the last dose.

Source: COWS and SOWS bands (clinical spec section 2); "doses that count" (section
7: given, partial, vomited; refused does not). The ward shows these clocks so that
untreated withdrawal is seen, not guessed from a list of times.

A stretch of untreated withdrawal runs from a COWS or SOWS in the moderate band or
worse until the next dose that counts or a milder score. At the same moment a dose
ends a stretch before a score starts a new one. OOWS (no bands) and entries with
no score do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from owm.clinical.vocab import COUNTED_OUTCOMES

__all__ = [
    "MODERATE_OR_WORSE",
    "Untreated",
    "counts",
    "time_since_last_dose",
    "untreated_withdrawal",
]

MODERATE_OR_WORSE: frozenset[str] = frozenset({"moderate", "moderately-severe", "severe"})


def counts(outcome: str) -> bool:
    """Whether a dose with this outcome counts (interval, 24 h total, course)."""
    return outcome in COUNTED_OUTCOMES


@dataclass(frozen=True, slots=True)
class Untreated:
    """Time in moderate or worse withdrawal without a dose: in all, and the stretch running now."""

    total: timedelta
    current: timedelta | None
    since: datetime | None


def time_since_last_dose(doses: Iterable[datetime], now: datetime) -> timedelta | None:
    """How long since the latest counted dose at or before `now` (None: no dose yet)."""
    given = [moment for moment in doses if moment <= now]
    return now - max(given) if given else None


def untreated_withdrawal(
    scores: Iterable[tuple[datetime, str, str | None]],
    doses: Iterable[datetime],
    now: datetime,
) -> Untreated:
    """Sum the stretches from a moderate-or-worse score to the next counted dose or milder score.

    `scores`: (time, instrument, band) of each withdrawal score; `doses`: the times of
    the counted clonazepam doses.
    """
    events: list[tuple[datetime, int, bool]] = []  # (at, order, moderate); order 0 = dose
    for at, instrument, band in scores:
        if at <= now and instrument in ("COWS", "SOWS") and band is not None:
            events.append((at, 1, band in MODERATE_OR_WORSE))
    events += [(at, 0, False) for at in doses if at <= now]
    events.sort(key=lambda e: (e[0], e[1]))
    total = timedelta(0)
    since: datetime | None = None
    for at, order, moderate in events:
        if order == 0 or not moderate:
            if since is not None:
                total += at - since
                since = None
        elif since is None:
            since = at
    current = None
    if since is not None:
        current = now - since
        total += current
    return Untreated(total=total, current=current, since=since)
