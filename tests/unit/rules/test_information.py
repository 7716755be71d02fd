"""Side effects, counselling and companion medicines: shown, never blocking.

Side effects recorded up to the decision time are listed; counselling is always
given; companion medicines are suggested by the symptoms present now (clinical
spec section 4), except where their own hold condition applies, and a
non-benzodiazepine is offered when clonazepam is contraindicated.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import companions, counselling, side_effects

from .support import after, ago, codes, context, cows, decide, side_effect, symptom, vitals


@pytest.mark.parametrize(
    ("records", "shown"),
    [
        pytest.param([], None, id="none"),
        pytest.param([side_effect(ago(h=1), "diplopia")], ["diplopia"], id="one"),
        pytest.param(
            [side_effect(ago(h=5), "ataxia"), side_effect(ago(h=1), "diplopia")],
            ["ataxia", "diplopia"],
            id="two, in one finding",
        ),
        pytest.param(
            [side_effect(ago(h=5), "ataxia"), side_effect(ago(h=1), "ataxia")],
            ["ataxia"],
            id="the same twice",
        ),
        pytest.param([side_effect(after(m=5), "diplopia")], None, id="after the decision time"),
    ],
)
def test_side_effects(records: list[dict[str, Any]], shown: list[str] | None) -> None:
    findings = list(side_effects.recorded(context(side_effects=records)))
    if shown is None:
        assert findings == []
    else:
        (finding,) = findings
        assert finding.values["side_effects"] == shown
        assert finding.severity == "warning"


def test_side_effects_do_not_block_a_dose() -> None:
    answer = decide(side_effects=[side_effect(ago(h=1), "drowsiness")])
    assert answer.action == "give"
    assert "side-effect" in answer.codes


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="give"),
        pytest.param({"alcohol": {"last_drink_at": ago(h=1)}}, id="contraindicated"),
        pytest.param({"assessments": []}, id="hold"),
    ],
)
def test_counselling_is_always_given(changes: dict[str, Any]) -> None:
    assert codes(counselling.patient, **changes) == ["counselling"]
    message = decide(**changes).finding("counselling")
    assert message is not None
    for words in ("alcohol", "drive", "suddenly", "Psychotherapy"):
        assert words in message.message


# A COWS of one symptom at a time, with anxiety 2 as the target symptom.
def one_sign(**items: int) -> dict[str, Any]:
    return {"assessments": [cows(ago(m=30), anxiety_irritability=2, **items)]}


@pytest.mark.parametrize(
    ("changes", "drugs"),
    [
        pytest.param(one_sign(), [], id="anxiety only: nothing else"),
        pytest.param(one_sign(sweating=2), ["lofexidine", "clonidine"], id="sweating 2"),
        pytest.param(one_sign(sweating=1), [], id="sweating 1"),
        pytest.param(one_sign(gooseflesh=3), ["lofexidine", "clonidine"], id="gooseflesh 3"),
        pytest.param(
            {**one_sign(sweating=2), "vitals": [vitals(ago(m=30), systolic_bp=89)]},
            [],
            id="sweating, systolic 89: no alpha-2 agonist",
        ),
        pytest.param(
            {**one_sign(sweating=2), "vitals": [vitals(ago(m=30), systolic_bp=90)]},
            ["lofexidine", "clonidine"],
            id="sweating, systolic 90",
        ),
        pytest.param(
            {**one_sign(sweating=2), "vitals": [vitals(ago(m=30), pulse=54)]},
            [],
            id="sweating, pulse 54: no alpha-2 agonist",
        ),
        pytest.param(one_sign(gi_upset=2), ["ondansetron"], id="GI upset 2: nausea"),
        pytest.param(one_sign(gi_upset=3), ["loperamide", "ondansetron"], id="GI upset 3"),
        pytest.param(one_sign(bone_joint_aches=2), ["ibuprofen", "paracetamol"], id="aches 2"),
        pytest.param(
            {**one_sign(bone_joint_aches=2), "patient": {"conditions": ["mild-liver-disease"]}},
            ["ibuprofen"],
            id="aches with liver disease: no paracetamol",
        ),
        pytest.param(
            {**one_sign(), "symptoms": [symptom(ago(h=2), "insomnia")]},
            ["trazodone"],
            id="insomnia recorded",
        ),
        pytest.param(
            {**one_sign(), "symptoms": [symptom(ago(h=12, m=1), "diarrhoea")]},
            [],
            id="diarrhoea recorded 12 h 1 min ago",
        ),
        pytest.param(
            {**one_sign(), "symptoms": [symptom(ago(h=12), "diarrhoea")]},
            ["loperamide"],
            id="diarrhoea recorded 12 h ago",
        ),
    ],
)
def test_companions_by_symptom(changes: dict[str, Any], drugs: list[str]) -> None:
    offered = companions.companions_for(context(**changes), contraindicated=False)
    assert [c["drug"] for c in offered] == drugs


def test_a_non_benzodiazepine_when_clonazepam_is_contraindicated() -> None:
    ctx = context(**one_sign())
    assert [c["drug"] for c in companions.companions_for(ctx, contraindicated=True)] == [
        "hydroxyzine"
    ]
