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

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from owm.clinical.context import Context, hours
from owm.clinical.findings import Finding, mg_text

__all__ = ["DosePlan", "earliest_next_dose", "plan_dose"]


@dataclass(frozen=True, slots=True)
class DosePlan:
    """The dose the protocol allows now, or None, with the findings that explain it."""

    dose_mg: Decimal | None
    findings: tuple[Finding, ...]


def _round_down(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step


def plan_dose(ctx: Context) -> DosePlan:
    """The dose for now, following the order of section 7 exactly."""
    dosing = ctx.protocol.dosing
    thresholds = ctx.protocol.thresholds
    cows = ctx.recent_cows
    severe = cows is not None and cows.total >= thresholds.cows_severe_dose_at_least
    night = ctx.is_night
    findings: list[Finding] = []

    if night and severe:
        dose, why = dosing.max_single_mg, "night and severe withdrawal"
    elif night:
        dose, why = dosing.night_mg, "night"
    elif severe:
        dose, why = dosing.severe_mg, "severe withdrawal"
    else:
        dose, why = dosing.standard_mg, "standard"
    if night:
        local = ctx.local_time.strftime("%H:%M")
        findings.append(
            ctx.finding(
                "night-dose",
                f"Night on the ward ({local}): the night dose of {mg_text(dose)} mg applies"
                + (" (with severe withdrawal)." if severe else "."),
                ward_time=local,
                dose_mg=dose,
            )
        )

    chosen = dose
    reasons: list[str] = []
    age = ctx.state.patient.age_years
    if (age is not None and age >= thresholds.older_adult_age) or (
        "mild-liver-disease" in ctx.state.patient.conditions
    ):
        dose = dose * dosing.reduction_factor
        reasons.append(
            f"age {age}"
            if age is not None and age >= thresholds.older_adult_age
            else "mild liver disease"
        )
    if dose > ctx.remaining_24h:
        dose = ctx.remaining_24h
        reasons.append(f"only {mg_text(ctx.remaining_24h)} mg left under the 24 h maximum")
    rounded = _round_down(dose, dosing.smallest_strength_mg)
    if rounded != dose:
        reasons.append(f"rounded down to a multiple of {mg_text(dosing.smallest_strength_mg)} mg")
    dose = rounded
    if dose < dosing.smallest_strength_mg:
        return DosePlan(None, tuple(findings))
    if dose != chosen:
        findings.append(
            ctx.finding(
                "dose-reduced",
                f"Dose reduced from {mg_text(chosen)} mg ({why}) to {mg_text(dose)} mg: "
                + "; ".join(reasons)
                + ".",
                chosen_mg=chosen,
                dose_mg=dose,
                reasons=reasons,
            )
        )
    return DosePlan(dose, tuple(findings))


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
