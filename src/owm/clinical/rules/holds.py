"""Holds: not now. Something must change (time, sedation, a fresh assessment) first.

Source: Pasero POSS (3 "unacceptable") and RASS (Sessler 2002) as a local
default for over-sedation; RCP NEWS2 (2017) "urgent response" for an aggregate of
5-6 or any single parameter scoring 3; UpToDate (every 6-8 h) for the minimum
interval; FDA label (panic disorder, maximum 4 mg/day) for the daily maximum;
local defaults for the freshness of assessments and observations.

When: POSS 3 or RASS -2/-3 and overdose is not suspected (oversedation); NEWS2
5-6 or a single 3 below the emergency range (news2-urgent); the last counted dose
less than `dosing.min_interval_hours` ago, the edge allowed (min-interval); less
than the smallest strength left under `dosing.daily_max_mg`, or the dose after the
section 7 adjustments (dosing.adjusted_dose) below that strength (daily-limit); no
COWS at all (no-assessment) or none within `windows.freshness_hours`
(assessment-stale); no complete set of vital signs within that window (vitals-stale);
a nurse's hold at or after the latest COWS (nurse-hold: it stands until a newer COWS,
clinical spec section 8, so a colleague never sees "give" for a dose that was held).
Then: hold, and say what must change.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from owm.clinical.context import Context, hours
from owm.clinical.findings import Finding, mg_text
from owm.clinical.rules.dosing import adjusted_dose

__all__ = [
    "RULES",
    "assessment_stale",
    "daily_limit",
    "min_interval",
    "news2_urgent",
    "no_assessment",
    "nurse_hold",
    "oversedation",
    "vitals_stale",
]


def oversedation(ctx: Context) -> Iterator[Finding]:
    """Too sedated for another dose, short of an emergency."""
    if ctx.overdose_signs:
        return
    limits = ctx.protocol.thresholds.oversedation
    poss = ctx.recent_poss
    if poss is not None and poss.level in limits.poss_levels:
        yield ctx.finding(
            "oversedation",
            f"POSS {poss.level}: too drowsy for another dose. Hold, stay close and reassess sedation.",
            scale="POSS",
            level=poss.level,
        )
    elif ctx.recent_rass is not None and ctx.recent_rass in limits.rass_levels:
        yield ctx.finding(
            "oversedation",
            f"RASS {ctx.recent_rass}: too sedated for another dose. Hold and reassess sedation.",
            scale="RASS",
            level=ctx.recent_rass,
        )


def news2_urgent(ctx: Context) -> Iterator[Finding]:
    """NEWS2 calls for an urgent review."""
    result = ctx.recent_news2
    if result is not None and result.response == "urgent":
        threes = [name for name, points in result.parameters.items() if points == 3]
        why = f"NEWS2 is {result.score}" + (
            f" with a single 3 ({', '.join(threes).replace('_', ' ')})" if threes else ""
        )
        yield ctx.finding(
            "news2-urgent",
            f"{why}: urgent clinical review before any dose.",
            news2=result.score,
            parameters=result.parameters,
        )


def min_interval(ctx: Context) -> Iterator[Finding]:
    """Less than the minimum interval since the last dose that counts."""
    last = ctx.last_dose
    interval = ctx.protocol.dosing.min_interval_hours
    if last is not None and ctx.at - last.at < hours(interval):
        minutes = int((ctx.at - last.at).total_seconds() // 60)
        yield ctx.finding(
            "min-interval",
            f"The last dose was {minutes // 60} h {minutes % 60:02d} min ago; at least "
            f"{interval} h must pass between doses.",
            last_dose_at=last.at,
            min_interval_hours=interval,
            next_dose_not_before=last.at + hours(interval),
        )


def daily_limit(ctx: Context) -> Iterator[Finding]:
    """Not even the smallest strength fits under the 24 h maximum, or the adjusted dose is below it."""
    dosing = ctx.protocol.dosing
    if ctx.remaining_24h < dosing.smallest_strength_mg:
        over = max(ctx.total_24h - dosing.daily_max_mg, Decimal(0))
        yield ctx.finding(
            "daily-limit",
            f"{mg_text(ctx.total_24h)} mg given in the last 24 h; the maximum is "
            f"{mg_text(dosing.daily_max_mg)} mg"
            + (f" ({mg_text(over)} mg over it: tell the physician)." if over else "."),
            total_24h_mg=ctx.total_24h,
            daily_max_mg=dosing.daily_max_mg,
            over_by_mg=over,
        )
        return
    dose = adjusted_dose(ctx)
    if dose.dose_mg < dosing.smallest_strength_mg:
        yield ctx.finding(
            "daily-limit",
            f"The dose after adjustment ({'; '.join(dose.reasons)}) is below the smallest "
            f"strength of {mg_text(dosing.smallest_strength_mg)} mg: no dose can be given.",
            total_24h_mg=ctx.total_24h,
            daily_max_mg=dosing.daily_max_mg,
            chosen_mg=dose.chosen_mg,
            dose_mg=dose.dose_mg,
        )


def no_assessment(ctx: Context) -> Iterator[Finding]:
    """No COWS has been recorded."""
    if ctx.latest_cows is None:
        yield ctx.finding(
            "no-assessment",
            "No COWS has been recorded: score withdrawal before any dose.",
        )


def assessment_stale(ctx: Context) -> Iterator[Finding]:
    """The latest COWS is older than the freshness window."""
    latest = ctx.latest_cows
    if latest is not None and ctx.recent_cows is None:
        window = ctx.protocol.windows.freshness_hours
        yield ctx.finding(
            "assessment-stale",
            f"The latest COWS is more than {window} h old: reassess before dosing.",
            latest_cows_at=latest.at,
            freshness_hours=window,
        )


def vitals_stale(ctx: Context) -> Iterator[Finding]:
    """No complete set of vital signs within the freshness window."""
    if ctx.recent_news2 is None:
        window = ctx.protocol.windows.freshness_hours
        latest = ctx.latest_vitals
        if latest is None:
            why = "No vital signs have been recorded"
        elif ctx.recent_vitals is None:
            why = f"The latest vital signs are more than {window} h old"
        else:
            why = "The latest set of vital signs is incomplete (NEWS2 needs all seven)"
        yield ctx.finding(
            "vitals-stale",
            f"{why}: record a full set of observations before dosing.",
            latest_vitals_at=latest.at if latest else None,
            freshness_hours=window,
        )


def nurse_hold(ctx: Context) -> Iterator[Finding]:
    """A nurse held the dose, and no COWS has been recorded since."""
    latest = ctx.latest_cows
    standing = [
        h for h in ctx.state.holds if h.at <= ctx.at and (latest is None or h.at >= latest.at)
    ]
    if standing:
        hold = max(standing, key=lambda h: (h.at, h.reason))
        yield ctx.finding(
            "nurse-hold",
            f"A nurse held the dose ({hold.reason}); it stands until a new COWS is recorded.",
            held_at=hold.at,
            reason=hold.reason,
        )


RULES = (
    nurse_hold,
    oversedation,
    news2_urgent,
    min_interval,
    daily_limit,
    no_assessment,
    assessment_stale,
    vitals_stale,
)
