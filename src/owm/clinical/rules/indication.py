"""Indication: is there withdrawal, and a symptom clonazepam is for?

Source: COWS (Wesson & Ling 2003): a total below 5 is no active withdrawal;
seed article, target symptoms: anxiety and fear; muscle pain and tension;
agitation; restless legs; poor appetite; insomnia.

When: the latest recent COWS is below `thresholds.cows_no_withdrawal_below`.
Then: no-withdrawal, not indicated.
When: none of: a recent COWS item at or above its `thresholds.target_symptom.cows_items`
value; a recent SOWS item at or above `sows_items`; RASS at or above `rass_at_least`;
a target symptom recorded within `windows.symptom_hours`.
Then: no-target-symptom, not indicated.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "no_target_symptom", "no_withdrawal", "target_symptoms"]


def no_withdrawal(ctx: Context) -> Iterator[Finding]:
    """COWS below the withdrawal threshold."""
    cows = ctx.recent_cows
    below = ctx.protocol.thresholds.cows_no_withdrawal_below
    if cows is not None and cows.total < below:
        yield ctx.finding(
            "no-withdrawal",
            f"COWS {cows.total}: no withdrawal to treat (below {below}).",
            cows=cows.total,
            below=below,
        )


def target_symptoms(ctx: Context) -> tuple[str, ...]:
    """The target symptoms present now, each named by where it was seen."""
    target = ctx.protocol.thresholds.target_symptom
    found: list[str] = []
    if ctx.recent_cows is not None:
        found += [
            f"COWS {item} {ctx.recent_cows.items[item]}"
            for item, at_least in target.cows_items.items()
            if ctx.recent_cows.items.get(item, 0) >= at_least
        ]
    if ctx.recent_sows is not None:
        found += [
            f"SOWS {item} {ctx.recent_sows.items[item]}"
            for item, at_least in target.sows_items.items()
            if ctx.recent_sows.items.get(item, 0) >= at_least
        ]
    agitation = ctx.recent_rass_agitation
    if agitation is not None and agitation >= target.rass_at_least:
        found.append(f"RASS {agitation:+d}")
    found += sorted(s for s in ctx.recent_symptoms() if s in target.symptoms)
    return tuple(found)


def no_target_symptom(ctx: Context) -> Iterator[Finding]:
    """Withdrawal without any symptom clonazepam is meant to treat."""
    if ctx.recent_cows is None:
        return
    if not target_symptoms(ctx):
        yield ctx.finding(
            "no-target-symptom",
            "No target symptom (anxiety, agitation, restlessness, aches, restless legs, "
            "insomnia, poor appetite): clonazepam is not indicated now.",
        )


RULES = (no_withdrawal, no_target_symptom)
