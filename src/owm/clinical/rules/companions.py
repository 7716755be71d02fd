"""Companion medicines: what else may help, by symptom (combination therapy).

Source: clinical spec section 4 (Lucemyra label; VA; UpToDate), as the
protocol's `companions` table; NICE CG52, ASAM 2020: methadone or buprenorphine
is first-line care, offered at admission and discharge.

When: a symptom is present now: recorded within `windows.symptom_hours`, or a
recent COWS item at or above its `companion_triggers` value (autonomic signs, GI
upset, aches).
Then: the protocol's companions for that symptom, except those whose `avoid_*`
condition holds (paracetamol with liver disease, an alpha-2 agonist with a low
blood pressure or pulse).
When: clonazepam is contraindicated.
Then: the non-benzodiazepine option for anxiety (hydroxyzine).
"""

from __future__ import annotations

from owm.clinical.context import Context
from owm.clinical.protocol import Companion

__all__ = ["CONTRAINDICATED", "companions_for", "symptoms_now"]

CONTRAINDICATED = "benzodiazepine-contraindicated"


def symptoms_now(ctx: Context) -> frozenset[str]:
    """Symptoms that companions treat, present now."""
    present = set(ctx.recent_symptoms())
    cows = ctx.recent_cows
    if cows is not None:
        for symptom, trigger in ctx.protocol.companion_triggers.items():
            if any(
                cows.items.get(item, 0) >= at_least for item, at_least in trigger.cows_items.items()
            ):
                present.add(symptom)
    return frozenset(present)


def _avoided(ctx: Context, companion: Companion) -> bool:
    if any(c in ctx.state.patient.conditions for c in companion.avoid_conditions):
        return True
    vitals = ctx.recent_vitals
    if vitals is None:
        return False
    if (
        companion.avoid_systolic_below is not None
        and vitals.systolic_bp is not None
        and vitals.systolic_bp < companion.avoid_systolic_below
    ):
        return True
    return (
        companion.avoid_pulse_below is not None
        and vitals.pulse is not None
        and vitals.pulse < companion.avoid_pulse_below
    )


def companions_for(ctx: Context, *, contraindicated: bool) -> tuple[dict[str, str], ...]:
    """Companion suggestions for the symptoms present now, in the protocol's order."""
    wanted = set(symptoms_now(ctx))
    if contraindicated:
        wanted.add(CONTRAINDICATED)
    return tuple(
        {
            "drug": c.drug,
            "for": c.for_,
            "dose": c.dose,
            "limit": c.limit,
            "hold": c.hold,
            "source": c.source,
        }
        for c in ctx.protocol.companions
        if c.for_ in wanted and not _avoided(ctx, c)
    )
