"""Respiratory and other risks: conditions and signs that need care with clonazepam.

Source: FDA label, Klonopin ("Warnings": respiratory depression; caution in
compromised respiratory function; "Interference with cognitive and motor
performance"; seizures on abrupt withdrawal and with flumazenil in patients with
seizure disorders); FDA boxed warning (2016): opioids with benzodiazepines,
respiratory depression; CIWA-Ar for alcohol withdrawal; clinical spec section 8.

When: COPD. Then: respiratory-risk, escalate.
When: a respiratory rate at or below `thresholds.respiratory_depression_rate_at_most`
in the latest recent vital signs, with an active opioid, and overdose not suspected.
Then: respiratory-depression-risk, hold.
When: epilepsy. Then: seizure-risk (a warning: never stop abruptly; the overdose
checklist says flumazenil is contraindicated for this patient).
When: alcohol use disorder in the history. Then: alcohol-use-disorder (a warning:
watch for alcohol withdrawal, CIWA-Ar).
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = [
    "RULES",
    "alcohol_use_disorder",
    "respiratory_depression",
    "respiratory_risk",
    "seizure_risk",
]


def respiratory_risk(ctx: Context) -> Iterator[Finding]:
    """COPD: clonazepam can depress breathing further."""
    if "copd" in ctx.state.patient.conditions:
        yield ctx.finding(
            "respiratory-risk",
            "COPD is recorded: clonazepam can depress breathing. A physician decides.",
            condition="copd",
        )


def respiratory_depression(ctx: Context) -> Iterator[Finding]:
    """Slow breathing with an active opioid, short of an emergency."""
    if ctx.overdose_signs:
        return
    at_most = ctx.protocol.thresholds.respiratory_depression_rate_at_most
    rates = ctx.recent_values("respiratory_rate")
    opioids = ctx.active("opioid")
    if rates and min(rates) <= at_most and opioids:
        names = ", ".join(m.name for m in opioids)
        yield ctx.finding(
            "respiratory-depression-risk",
            f"Respiratory rate {min(rates)}/min with an opioid ({names}): hold clonazepam, "
            "stay close and reassess breathing and sedation.",
            respiratory_rate=min(rates),
            at_most=at_most,
            medicines=[m.name for m in opioids],
        )


def seizure_risk(ctx: Context) -> Iterator[Finding]:
    """Epilepsy: never stop abruptly, and no flumazenil in an overdose."""
    if "epilepsy" in ctx.state.patient.conditions:
        yield ctx.finding(
            "seizure-risk",
            "Epilepsy is recorded: never stop clonazepam abruptly; in an overdose flumazenil "
            "is contraindicated for this patient (seizures).",
            condition="epilepsy",
        )


def alcohol_use_disorder(ctx: Context) -> Iterator[Finding]:
    """Alcohol use disorder in the history: alcohol withdrawal may follow."""
    if "alcohol-use-disorder" in ctx.state.patient.history:
        yield ctx.finding(
            "alcohol-use-disorder",
            "Alcohol use disorder in the history: watch for alcohol withdrawal (score CIWA-Ar).",
            history="alcohol-use-disorder",
        )


RULES = (respiratory_risk, respiratory_depression, seizure_risk, alcohol_use_disorder)
