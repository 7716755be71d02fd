"""Charting a dose late: how late it may be, and whether doses charted since still hold.

Source: clinical spec section 7 ("Late charting: a dose may be charted up to 2 h
after it was given; it is checked against the record as it stood at the time
given"); FDA label (maximum 4 mg a day); UpToDate (every 6-8 h).

The decision at the time given (`evaluate` on the state as it stood then) says
whether the dose was allowed then. A dose charted late can also break the limits
of doses charted after it that were given later: `later_dose_conflicts` checks
the minimum interval to the next of them and the 24 h maximum in the window
ending at each of them, counting the late dose with the doses before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from owm.clinical.context import Context, hours
from owm.clinical.findings import Finding, iso, mg_text
from owm.clinical.protocol import Protocol
from owm.clinical.readings import latest_group, most_severe_poss
from owm.clinical.state import PatientState

__all__ = ["DoseSummary", "dose_summary", "late_charting_window", "later_dose_conflicts"]


@dataclass(frozen=True, slots=True)
class DoseSummary:
    """The clonazepam figures a medication record prints beside the doses."""

    given_24h_mg: Decimal
    daily_max_mg: Decimal
    min_interval_hours: Decimal
    max_single_mg: Decimal
    last_dose_at: datetime | None
    last_dose_mg: Decimal | None
    course_day: int
    sedation: str | None
    """The latest sedation score as charted ("POSS 2"); of several at one moment the most severe."""
    sedation_at: datetime | None


def dose_summary(state: PatientState, protocol: Protocol) -> DoseSummary:
    """Given in the last 24 h, the limits in force, the last counted dose, the course day and
    the latest sedation score: what a medication record or a handoff prints for a patient."""
    ctx = Context(state, protocol)
    last = ctx.last_dose
    group = latest_group(state.sedation, state.at)
    poss = most_severe_poss(group)
    rass = [s for s in group if s.scale == "RASS"]
    shown = poss or (min(rass, key=lambda s: s.rass or 0) if rass else None)
    return DoseSummary(
        given_24h_mg=ctx.total_24h,
        daily_max_mg=protocol.dosing.daily_max_mg,
        min_interval_hours=protocol.dosing.min_interval_hours,
        max_single_mg=protocol.dosing.max_single_mg,
        last_dose_at=last.at if last else None,
        last_dose_mg=last.dose_mg if last else None,
        course_day=ctx.course_day,
        sedation=f"{shown.scale} {shown.level}" if shown else None,
        sedation_at=shown.at if shown else None,
    )


def late_charting_window(protocol: Protocol) -> timedelta:
    """How long after it was given a dose (or a record of the time it happened) may be charted."""
    return hours(protocol.windows.late_charting_hours)


def later_dose_conflicts(
    state: PatientState,
    protocol: Protocol,
    given_at: datetime,
    dose_mg: Decimal,
    later: Sequence[tuple[datetime, Decimal]],
) -> tuple[Finding, ...]:
    """Findings for doses already charted that were given after `given_at` (counted doses,
    oldest first) which this dose would put inside the minimum interval or above the 24 h
    maximum. `state` is the record as it stood at `given_at`."""
    if not later:
        return ()
    ctx = Context(state, protocol)
    dosing = protocol.dosing
    found: list[Finding] = []
    if later[0][0] - given_at < hours(dosing.min_interval_hours):
        found.append(
            ctx.finding(
                "min-interval",
                f"A dose given at {iso(later[0][0])} is already charted, less than "
                f"{dosing.min_interval_hours} h after {iso(given_at)}: this dose cannot be "
                "charted at that time.",
                later_dose_at=later[0][0],
                min_interval_hours=dosing.min_interval_hours,
            )
        )
    day = hours(24)
    earlier = [(a.at, a.dose_mg) for a in ctx.counted_doses]
    for moment, _ in later:
        if moment - given_at >= day:
            break
        start = moment - day
        total = sum((mg for when, mg in (*earlier, *later) if start < when <= moment), Decimal(0))
        if total + dose_mg > dosing.daily_max_mg:
            found.append(
                ctx.finding(
                    "daily-limit",
                    f"With this dose, the 24 h before the dose charted at {iso(moment)} would "
                    f"hold {mg_text(total + dose_mg)} mg, above the "
                    f"{mg_text(dosing.daily_max_mg)} mg maximum.",
                    later_dose_at=moment,
                    total_mg=total + dose_mg,
                    daily_max_mg=dosing.daily_max_mg,
                )
            )
            break
    return tuple(found)
