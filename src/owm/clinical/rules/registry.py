"""Every rule of the core, in the rule order of clinical spec section 3, found by its id.

Why a registry: the decision runs all of them (`decide.evaluate`), and an
acknowledgement asks whether one finding was raised at the moment it was made
(clinical spec section 8), which means running the one rule that raises that code
on the state as it stood then. A rule's id is `<module>.<function>`, as the
protocol's `findings` name it and as screens print it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding
from owm.clinical.rules import (
    classification,
    companions,  # noqa: F401 - not a finding rule; imported so every rule module loads here
    contraindications,
    counselling,
    course,
    emergency,
    escalations,
    holds,
    indication,
    interactions,
    missing,
    risks,
    side_effects,
)

__all__ = ["RULES", "Rule", "rule_id", "rule_raising"]

Rule = Callable[[Context], Iterator[Finding]]

RULES: tuple[Rule, ...] = (
    *emergency.RULES,
    *contraindications.RULES,
    *holds.RULES,
    *missing.RULES,
    *risks.RULES,
    *interactions.RULES,
    *classification.RULES,
    *escalations.RULES,
    *indication.RULES,
    *course.RULES,
    *side_effects.RULES,
    *counselling.RULES,
)


def rule_id(rule: Rule) -> str:
    """`<module>.<function>`: the id a finding carries and the protocol names."""
    return f"{rule.__module__.rsplit('.', 1)[1]}.{rule.__name__}"


_BY_ID: dict[str, Rule] = {rule_id(rule): rule for rule in RULES}


def rule_raising(ctx: Context, code: str) -> Rule:
    """The rule that raises finding `code` under the context's protocol."""
    return _BY_ID[ctx.protocol.findings[code].rule]
