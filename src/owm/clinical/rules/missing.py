"""Missing or unknown data: a dose is never decided on silence.

Source: clinical spec section 8, "Missing or unknown data" (state-format: missing
optional data is "unknown, and the rules say so in a finding"); Pasero POSS and
RASS (sedation must be scored before an opioid-era sedative is repeated); seed
article and FDA label (alcohol is contraindicated; older adults and pregnancy
need a physician, so age and pregnancy must be known).

When: no POSS or RASS within `windows.freshness_hours` (ACVPU in the vital signs
does not stand in). Then: sedation-stale, hold.
When: nothing answers "has the patient drunk?": no last drink time, no breath
reading, and no `none_reported: true`. Then: alcohol-unknown, hold.
When: no age (no patient details). Then: patient-details-missing, hold.
When: a female patient of `thresholds.childbearing_ages` whose pregnancy is not
recorded. Then: pregnancy-unknown, escalate (a physician decides).
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "alcohol_unknown", "patient_details", "pregnancy_unknown", "sedation_stale"]


def sedation_stale(ctx: Context) -> Iterator[Finding]:
    """No sedation score (POSS or RASS) recorded within the freshness window."""
    if ctx.has_recent_sedation_score:
        return
    window = ctx.protocol.windows.freshness_hours
    earlier = [s.at for s in ctx.state.sedation if s.at <= ctx.at]
    why = (
        f"No POSS or RASS in the last {window} h"
        if earlier
        else "No POSS or RASS has been recorded"
    )
    yield ctx.finding(
        "sedation-stale",
        f"{why}: score sedation before any dose (the consciousness level of the vital "
        "signs does not stand in for it).",
        latest_sedation_at=max(earlier) if earlier else None,
        freshness_hours=window,
    )


def alcohol_unknown(ctx: Context) -> Iterator[Finding]:
    """Nothing recorded says whether the patient has drunk alcohol."""
    if not ctx.state.alcohol.known:
        window = ctx.protocol.windows.alcohol_hours
        yield ctx.finding(
            "alcohol-unknown",
            f"Alcohol is not recorded: ask about a drink in the last {window} h (or take a "
            "breath test) and record it before any dose.",
            alcohol_hours=window,
        )


def patient_details(ctx: Context) -> Iterator[Finding]:
    """The patient's age is not recorded (the dose and the escalations depend on it)."""
    if ctx.state.patient.age_years is None:
        yield ctx.finding(
            "patient-details-missing",
            "The patient's age is not recorded: record the patient's details before any dose.",
            missing=["age_years"],
        )


def pregnancy_unknown(ctx: Context) -> Iterator[Finding]:
    """A woman of child-bearing age whose pregnancy status is not recorded."""
    patient = ctx.state.patient
    low, high = ctx.protocol.thresholds.childbearing_ages
    if (
        patient.sex == "female"
        and patient.age_years is not None
        and low <= patient.age_years <= high
        and patient.pregnant is None
    ):
        yield ctx.finding(
            "pregnancy-unknown",
            f"Pregnancy is not recorded for a woman aged {patient.age_years}: record it (a "
            "pregnancy test if unsure); a physician decides about clonazepam until then.",
            age_years=patient.age_years,
            childbearing_ages=[low, high],
        )


RULES = (sedation_stale, alcohol_unknown, patient_details, pregnancy_unknown)
