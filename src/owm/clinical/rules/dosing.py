"""Dosing: which dose, when the protocol allows one now.

Source: seed article: "usual single dose 0.5 mg ... up to 2.0 mg in the most
severe cases or at night; strengths from 0.125 mg to 2 mg"; FDA label (older
adults and hepatic impairment: lower doses; maximum 4 mg/day in panic disorder).

When: the action is give.
Then, in this order (clinical spec section 7):
  1. choose `dosing.standard_mg`; at night `dosing.night_mg` (night-dose); with
     COWS at or above `thresholds.cows_severe_dose_at_least` `dosing.severe_mg`;
     at night and severe both, `dosing.max_single_mg`;
  2. multiply once by `dosing.reduction_factor` for age at or above
     `thresholds.older_adult_age` or mild liver disease (dose-reduced);
  3. cap at what remains of `dosing.daily_max_mg` in the last 24 h (dose-reduced);
  4. round down to a multiple of `dosing.smallest_strength_mg` (dose-reduced);
  5. below the smallest strength: no dose (holds.daily_limit covers it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from owm.clinical.context import Context, hours
from owm.clinical.findings import Finding, mg_text

__all__ = [
    "Dose",
    "DosePlan",
    "adjusted_dose",
    "chosen_dose",
    "dose_reduced",
    "earliest_next_dose",
    "night_dose",
    "plan_dose",
]


@dataclass(frozen=True, slots=True)
class DosePlan:
    """The dose the protocol allows now, or None, with the findings that explain it."""

    dose_mg: Decimal | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Dose:
    """The dose chosen in step 1, the dose after steps 2-4, and why they differ."""

    chosen_mg: Decimal
    why: str
    dose_mg: Decimal
    reasons: tuple[str, ...]


def _round_down(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step


def chosen_dose(ctx: Context) -> tuple[Decimal, str]:
    """Step 1: standard, night, severe, or night and severe together (the maximum single dose)."""
    dosing = ctx.protocol.dosing
    cows = ctx.recent_cows
    severe = cows is not None and cows.total >= ctx.protocol.thresholds.cows_severe_dose_at_least
    if ctx.is_night and severe:
        return dosing.max_single_mg, "night and severe withdrawal"
    if ctx.is_night:
        return dosing.night_mg, "night"
    if severe:
        return dosing.severe_mg, "severe withdrawal"
    return dosing.standard_mg, "standard"


def adjusted_dose(ctx: Context) -> Dose:
    """Steps 1-4 of section 7: choose, halve once, cap at the 24 h remainder, round down.

    The result may be below the smallest strength (step 5): then no dose can be
    given and holds.daily_limit holds.
    """
    dosing = ctx.protocol.dosing
    older = ctx.protocol.thresholds.older_adult_age
    chosen, why = chosen_dose(ctx)
    dose = chosen
    reasons: list[str] = []
    age = ctx.state.patient.age_years
    is_older = age is not None and age >= older
    if is_older or "mild-liver-disease" in ctx.state.patient.conditions:
        dose = dose * dosing.reduction_factor
        reasons.append(f"age {age}" if is_older else "mild liver disease")
    if dose > ctx.remaining_24h:
        dose = max(ctx.remaining_24h, Decimal(0))
        reasons.append(f"only {mg_text(dose)} mg left under the 24 h maximum")
    rounded = _round_down(dose, dosing.smallest_strength_mg)
    if rounded != dose:
        reasons.append(f"rounded down to a multiple of {mg_text(dosing.smallest_strength_mg)} mg")
    return Dose(chosen_mg=chosen, why=why, dose_mg=rounded, reasons=tuple(reasons))


def night_dose(ctx: Context) -> Iterator[Finding]:
    """It is night on the ward: the night dose applies (with give only).

    The finding names the dose chosen before any reduction and, when it was reduced,
    the dose given, so it never contradicts the headline (clinical spec section 8).
    """
    if ctx.is_night:
        dose = adjusted_dose(ctx)
        local = ctx.local_time.strftime("%H:%M")
        chosen = f"night dose {mg_text(dose.chosen_mg)} mg" + (
            " (with severe withdrawal)" if "severe" in dose.why else ""
        )
        reduced = (
            f", reduced to {mg_text(dose.dose_mg)} mg" if dose.dose_mg != dose.chosen_mg else ""
        )
        yield ctx.finding(
            "night-dose",
            f"Night on the ward ({local}): {chosen}{reduced}.",
            ward_time=local,
            dose_mg=dose.chosen_mg,
            given_mg=dose.dose_mg,
        )


def dose_reduced(ctx: Context) -> Iterator[Finding]:
    """The dose was halved, capped at the 24 h remainder or rounded down (with give only)."""
    dose = adjusted_dose(ctx)
    if dose.dose_mg != dose.chosen_mg and dose.dose_mg >= ctx.protocol.dosing.smallest_strength_mg:
        yield ctx.finding(
            "dose-reduced",
            f"Dose reduced from {mg_text(dose.chosen_mg)} mg ({dose.why}) to "
            f"{mg_text(dose.dose_mg)} mg: " + "; ".join(dose.reasons) + ".",
            chosen_mg=dose.chosen_mg,
            dose_mg=dose.dose_mg,
            reasons=list(dose.reasons),
        )


def plan_dose(ctx: Context) -> DosePlan:
    """The dose for now, following the order of section 7 exactly; None below the smallest strength."""
    dose = adjusted_dose(ctx)
    if dose.dose_mg < ctx.protocol.dosing.smallest_strength_mg:  # pragma: no cover
        return DosePlan(None, ())  # holds.daily_limit holds first: evaluate never gets here
    return DosePlan(dose.dose_mg, (*night_dose(ctx), *dose_reduced(ctx)))


def earliest_next_dose(
    ctx: Context, given: tuple[tuple[datetime, Decimal], ...]
) -> datetime | None:
    """The earliest time another dose is allowed: interval passed and the smallest strength fits.

    `given` adds the dose recommended now (when the action is give) to the counted
    doses. None when nothing has been given: no interval or 24 h limit applies yet.
    """
    dosing = ctx.protocol.dosing
    times = [a.at for a in ctx.counted_doses] + [when for when, _ in given]
    if not times:
        return None
    candidate = max(times) + hours(dosing.min_interval_hours)
    day = hours(24)
    rolls = sorted(t + day for t in times)
    for moment in [candidate, *(r for r in rolls if r > candidate)]:
        total = ctx.total_in_window_ending(moment, given)
        if dosing.daily_max_mg - total >= dosing.smallest_strength_mg:
            return moment
    return rolls[-1]  # pragma: no cover - the last roll empties the window
