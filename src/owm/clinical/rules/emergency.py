"""Emergency: overdose suspected, or NEWS2 in the emergency range.

Source: seed article (overdose signs: slow heart rate, low blood pressure,
extreme drowsiness up to confusion, breathing disturbance, coma); FDA label,
Klonopin, "Overdosage"; Pasero Opioid-induced Sedation Scale (level 4:
"unacceptable"); Royal College of Physicians NEWS2 (2017): an aggregate of 7
or more calls for an emergency response.

When: POSS 4, RASS at or below -4, consciousness "pain" or "unresponsive",
respiration at or below 8/min; or POSS 3 / RASS at or below -2 together with
a slow breath, low SpO2, low systolic pressure or slow pulse (the latest recent
values, complete set or not).
Then: overdose-suspected; the action is emergency and the overdose checklist is shown.

When: NEWS2 (complete latest recent set) at or above 7.
Then: news2-emergency; the action is emergency.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "news2", "overdose"]


def overdose(ctx: Context) -> Iterator[Finding]:
    """Overdose suspected: deep sedation, or sedation with failing breathing or circulation."""
    signs = ctx.overdose_signs
    if signs:
        yield ctx.finding(
            "overdose-suspected",
            "Overdose suspected (" + ", ".join(signs) + "): stop clonazepam and follow the "
            "overdose checklist now.",
            signs=list(signs),
        )


def news2(ctx: Context) -> Iterator[Finding]:
    """NEWS2 in the emergency range."""
    result = ctx.recent_news2
    if result is not None and result.response == "emergency":
        yield ctx.finding(
            "news2-emergency",
            f"NEWS2 is {result.score}: emergency response, call the rapid response team.",
            news2=result.score,
            parameters=result.parameters,
        )


RULES = (overdose, news2)
