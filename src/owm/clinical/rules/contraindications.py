"""Contraindications: clonazepam must not be given at all.

Source: FDA label, Klonopin, "Contraindications": "significant liver disease",
"hypersensitivity to benzodiazepines", "acute narrow angle glaucoma"; seed
article: "alcohol is contraindicated"; severe respiratory insufficiency and sleep
apnoea as local default (the label warns of respiratory depression).

When: a benzodiazepine allergy; significant liver disease; acute narrow-angle
glaucoma; alcohol drunk within the alcohol window (`windows.alcohol_hours`,
its edge included) or a breath alcohol above `thresholds.breath_alcohol_above_mg_l`;
severe respiratory insufficiency, sleep apnoea or hypercapnic respiratory failure
(counted as severe respiratory insufficiency, clinical spec section 8).
Then: contraindicated, with a non-benzodiazepine option among the companions.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context, hours
from owm.clinical.findings import Finding

__all__ = ["RULES", "alcohol", "allergy", "glaucoma", "liver", "respiratory"]


def allergy(ctx: Context) -> Iterator[Finding]:
    """Allergic to benzodiazepines."""
    if "benzodiazepines" in ctx.state.patient.allergies:
        yield ctx.finding(
            "benzodiazepine-allergy",
            "Allergy to benzodiazepines is recorded: do not give clonazepam.",
            allergies=list(ctx.state.patient.allergies),
        )


def liver(ctx: Context) -> Iterator[Finding]:
    """Significant liver disease."""
    if "significant-liver-disease" in ctx.state.patient.conditions:
        yield ctx.finding(
            "liver-disease",
            "Significant liver disease is recorded: clonazepam is contraindicated.",
            condition="significant-liver-disease",
        )


def glaucoma(ctx: Context) -> Iterator[Finding]:
    """Acute narrow-angle glaucoma."""
    if "acute-narrow-angle-glaucoma" in ctx.state.patient.conditions:
        yield ctx.finding(
            "narrow-angle-glaucoma",
            "Acute narrow-angle glaucoma is recorded: clonazepam is contraindicated.",
            condition="acute-narrow-angle-glaucoma",
        )


def alcohol(ctx: Context) -> Iterator[Finding]:
    """Alcohol drunk within the alcohol window, or alcohol on the breath."""
    record = ctx.state.alcohol
    window = ctx.protocol.windows.alcohol_hours
    last = record.last_drink_at
    if last is not None and last <= ctx.at and ctx.at - last <= hours(window):
        ago = (ctx.at - last).total_seconds() / 3600
        yield ctx.finding(
            "alcohol",
            f"Alcohol was drunk {ago:.1f} h ago (within {window} h): do not give clonazepam.",
            last_drink_at=last,
            window_hours=window,
        )
        return
    breath = record.breath_alcohol_mg_l
    if breath is not None and breath > ctx.protocol.thresholds.breath_alcohol_above_mg_l:
        yield ctx.finding(
            "alcohol",
            f"Breath alcohol is {breath} mg/L: do not give clonazepam.",
            breath_alcohol_mg_l=breath,
        )


def respiratory(ctx: Context) -> Iterator[Finding]:
    """Severe respiratory insufficiency (hypercapnic failure included) or sleep apnoea."""
    found = [
        c
        for c in (
            "severe-respiratory-insufficiency",
            "hypercapnic-respiratory-failure",
            "sleep-apnoea",
        )
        if c in ctx.state.patient.conditions
    ]
    if found:
        yield ctx.finding(
            "respiratory-insufficiency",
            f"{found[0].replace('-', ' ').capitalize()} is recorded: clonazepam may stop breathing; "
            "do not give it.",
            conditions=found,
        )


RULES = (allergy, liver, glaucoma, alcohol, respiratory)
