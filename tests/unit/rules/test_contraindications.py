"""Contraindications (clinical spec section 3 step 2): clonazepam must not be given.

Each contraindication alone makes the base patient (who would otherwise get
0.5 mg) contraindicated, with a non-benzodiazepine option offered.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import contraindications

from .support import after, ago, codes, decide, poss, vitals

RULES = [
    contraindications.allergy,
    contraindications.liver,
    contraindications.glaucoma,
    contraindications.alcohol,
    contraindications.respiratory,
]


def found(**changes: Any) -> list[str]:
    return [code for rule in RULES for code in codes(rule, **changes)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, [], id="none"),
        pytest.param(
            {"patient": {"allergies": ["benzodiazepines"]}},
            ["benzodiazepine-allergy"],
            id="benzodiazepine allergy",
        ),
        pytest.param(
            {"patient": {"conditions": ["significant-liver-disease"]}},
            ["liver-disease"],
            id="significant liver disease",
        ),
        pytest.param(
            {"patient": {"conditions": ["mild-liver-disease"]}},
            [],
            id="mild liver disease: dose halved, not contraindicated",
        ),
        pytest.param(
            {"patient": {"conditions": ["acute-narrow-angle-glaucoma"]}},
            ["narrow-angle-glaucoma"],
            id="acute narrow-angle glaucoma",
        ),
        pytest.param(
            {"patient": {"conditions": ["severe-respiratory-insufficiency"]}},
            ["respiratory-insufficiency"],
            id="severe respiratory insufficiency",
        ),
        pytest.param(
            {"patient": {"conditions": ["sleep-apnoea"]}},
            ["respiratory-insufficiency"],
            id="sleep apnoea",
        ),
        pytest.param(
            {"patient": {"conditions": ["sleep-apnoea", "severe-respiratory-insufficiency"]}},
            ["respiratory-insufficiency"],
            id="both respiratory conditions: one finding",
        ),
        pytest.param({"patient": {"conditions": ["copd"]}}, [], id="COPD alone"),
        pytest.param({"patient": {"conditions": ["epilepsy"]}}, [], id="epilepsy"),
        # alcohol window: 24 h, its edge included (the safe side)
        pytest.param(
            {"alcohol": {"last_drink_at": ago(h=24)}}, ["alcohol"], id="drink exactly 24 h ago"
        ),
        pytest.param(
            {"alcohol": {"last_drink_at": ago(h=23, m=59)}}, ["alcohol"], id="drink 23 h 59 min ago"
        ),
        pytest.param({"alcohol": {"last_drink_at": ago(h=24, m=1)}}, [], id="drink 24 h 1 min ago"),
        pytest.param({"alcohol": {"last_drink_at": ago()}}, ["alcohol"], id="drink now"),
        pytest.param(
            {"alcohol": {"breath_alcohol_mg_l": "0.01"}}, ["alcohol"], id="breath alcohol 0.01"
        ),
        pytest.param({"alcohol": {"breath_alcohol_mg_l": "0"}}, [], id="breath alcohol 0"),
        pytest.param(
            {"alcohol": {"last_drink_at": ago(h=2), "breath_alcohol_mg_l": "0.2"}},
            ["alcohol"],
            id="recent drink and breath alcohol: one finding",
        ),
        pytest.param(
            {"alcohol": {"last_drink_at": None, "breath_alcohol_mg_l": None}},
            [],
            id="alcohol unknown",
        ),
    ],
)
def test_contraindications(changes: dict[str, Any], expected: list[str]) -> None:
    assert found(**changes) == expected


CONTRAINDICATED = [
    {"patient": {"allergies": ["benzodiazepines"]}},
    {"patient": {"conditions": ["significant-liver-disease"]}},
    {"patient": {"conditions": ["acute-narrow-angle-glaucoma"]}},
    {"patient": {"conditions": ["severe-respiratory-insufficiency"]}},
    {"patient": {"conditions": ["sleep-apnoea"]}},
    {"alcohol": {"last_drink_at": ago(h=3)}},
    {"alcohol": {"breath_alcohol_mg_l": "0.1"}},
]


@pytest.mark.parametrize("changes", CONTRAINDICATED)
def test_contraindicated_offers_a_non_benzodiazepine_and_no_dose(changes: dict[str, Any]) -> None:
    answer = decide(**changes)
    assert answer.action == "contraindicated"
    assert answer.dose_mg is None
    assert "hydroxyzine" in [c["drug"] for c in answer.companions]


def test_no_non_benzodiazepine_offer_when_clonazepam_may_be_given() -> None:
    assert "hydroxyzine" not in [c["drug"] for c in decide().companions]


@pytest.mark.parametrize(
    ("changes", "action"),
    [
        pytest.param(
            {"alcohol": {"last_drink_at": ago(h=1)}, "sedation": [poss(ago(m=5), "4")]},
            "emergency",
            id="emergency outranks alcohol",
        ),
        pytest.param(
            {"alcohol": {"last_drink_at": ago(h=1)}, "vitals": [vitals(ago(h=6))]},
            "contraindicated",
            id="alcohol outranks stale vital signs",
        ),
    ],
)
def test_contraindication_in_the_action_order(changes: dict[str, Any], action: str) -> None:
    assert decide(**changes).action == action


def test_a_drink_recorded_after_the_decision_time_is_not_counted() -> None:
    """Records after the decision time are ignored (section 7)."""
    assert found(alcohol={"last_drink_at": after(m=30)}) == []
