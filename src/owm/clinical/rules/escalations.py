"""Escalations: a physician decides, and records a reason.

Source: seed article (course as short as possible, 3-4 days on average; be ready
to replace clonazepam by another anxiolytic when it does not help); Australian
eTG (diazepam up to 7 days, 10 inpatient); COWS (Wesson & Ling 2003) band
"severe" above 36; FDA label (pregnancy, older adults, abuse and dependence).

When: course day above `thresholds.course_limit_days` (course-limit); latest recent
COWS above `thresholds.cows_severe_withdrawal_above` (severe-withdrawal); pregnant
(pregnancy); age at or above `thresholds.older_adult_age` (older-adult); a history
of benzodiazepine misuse (benzodiazepine-misuse); at least
`thresholds.not_improving_min_doses` doses in this course and the latest COWS
after the first dose not below the last COWS at or before it (not-improving).
Then: escalate. An acknowledgement by a physician turns the finding into a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = [
    "RULES",
    "course_limit",
    "misuse",
    "not_improving",
    "older_adult",
    "pregnancy",
    "severe_withdrawal",
]


def course_limit(ctx: Context) -> Iterator[Finding]:
    """The course has gone on longer than the protocol's course limit."""
    limit = ctx.protocol.thresholds.course_limit_days
    if ctx.course_day > limit:
        yield ctx.finding(
            "course-limit",
            f"Day {ctx.course_day} of clonazepam; the course limit is {limit} days "
            "(dependence risk). A physician decides whether to go on.",
            course_day=ctx.course_day,
            course_limit_days=limit,
        )


def severe_withdrawal(ctx: Context) -> Iterator[Finding]:
    """Severe withdrawal (COWS above the severe threshold)."""
    cows = ctx.recent_cows
    above = ctx.protocol.thresholds.cows_severe_withdrawal_above
    if cows is not None and cows.total > above:
        yield ctx.finding(
            "severe-withdrawal",
            f"COWS {cows.total}: severe withdrawal. A physician should review now "
            "(methadone or buprenorphine may be needed).",
            cows=cows.total,
            above=above,
        )


def pregnancy(ctx: Context) -> Iterator[Finding]:
    """The patient is pregnant."""
    if ctx.state.patient.pregnant:
        yield ctx.finding(
            "pregnancy",
            "The patient is pregnant: a physician decides about clonazepam.",
            pregnant=True,
        )


def older_adult(ctx: Context) -> Iterator[Finding]:
    """Older adult: more sensitive to sedation and falls."""
    age = ctx.state.patient.age_years
    threshold = ctx.protocol.thresholds.older_adult_age
    if age is not None and age >= threshold:
        yield ctx.finding(
            "older-adult",
            f"Age {age}: more sensitive to sedation and falls. A physician decides; "
            "the dose is halved.",
            age_years=age,
            older_adult_age=threshold,
        )


def misuse(ctx: Context) -> Iterator[Finding]:
    """A history of benzodiazepine misuse."""
    if "benzodiazepine-misuse" in ctx.state.patient.history:
        yield ctx.finding(
            "benzodiazepine-misuse",
            "History of benzodiazepine misuse: a physician decides about clonazepam.",
            history="benzodiazepine-misuse",
        )


def not_improving(ctx: Context) -> Iterator[Finding]:
    """Several doses and withdrawal no better than before the first dose."""
    first = ctx.first_dose
    needed = ctx.protocol.thresholds.not_improving_min_doses
    latest = ctx.latest_cows
    if first is None or latest is None or len(ctx.counted_doses) < needed:
        return
    baseline = ctx.score_at("COWS", first.at)
    if baseline is None or latest.at <= first.at:
        return
    if latest.total >= baseline.total:
        yield ctx.finding(
            "not-improving",
            f"After {len(ctx.counted_doses)} doses COWS is {latest.total}, not below "
            f"{baseline.total} before the first dose: consider another anxiolytic.",
            doses=len(ctx.counted_doses),
            baseline_cows=baseline.total,
            latest_cows=latest.total,
        )


RULES = (course_limit, severe_withdrawal, pregnancy, older_adult, misuse, not_improving)
