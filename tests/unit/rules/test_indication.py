"""Indication (clinical spec section 3 step 5): withdrawal, and a symptom clonazepam is for.

not-indicated when the latest recent COWS is below 5 (no-withdrawal), or there
is no target symptom: COWS anxiety/irritability >= 2, restlessness >= 3 or
bone/joint aches >= 2; a recent SOWS anxious, restless or bones-and-muscles-ache
>= 2; RASS >= +1; or a target symptom recorded in the last 12 h.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import indication

from .support import ago, codes, cows, decide, rass, sows, symptom

# A COWS of 8 with no target symptom item (pulse, sweating, pupils, runny nose).
NO_TARGET = cows(ago(m=30), resting_pulse=2, sweating=2, pupil_size=2, runny_nose_tearing=2)


@pytest.mark.parametrize(
    ("total", "band", "fires"),
    [
        pytest.param(4, "none", True, id="COWS 4"),
        pytest.param(5, "mild", False, id="COWS 5"),
        pytest.param(0, "none", True, id="COWS 0"),
    ],
)
def test_no_withdrawal(total: int, band: str, fires: bool) -> None:
    changes = {"assessments": [cows(ago(m=30), total)]}
    assert (codes(indication.no_withdrawal, **changes) == ["no-withdrawal"]) is fires
    answer = decide(**changes)
    assert answer.withdrawal is not None and answer.withdrawal["band"] == band
    assert (answer.action == "not-indicated") is fires


def test_a_stale_low_cows_is_not_no_withdrawal_but_a_stale_assessment() -> None:
    answer = decide(assessments=[cows(ago(h=5), 2)])
    assert "no-withdrawal" not in answer.codes
    assert answer.action == "hold" and "assessment-stale" in answer.codes


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        pytest.param({"assessments": [NO_TARGET]}, True, id="no target symptom"),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, anxiety_irritability=2)]},
            False,
            id="COWS anxiety 2",
        ),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, anxiety_irritability=1)]},
            True,
            id="COWS anxiety 1",
        ),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, restlessness=3)]}, False, id="COWS restlessness 3"
        ),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, restlessness=1)]}, True, id="COWS restlessness 1"
        ),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, bone_joint_aches=2)]}, False, id="COWS aches 2"
        ),
        pytest.param(
            {"assessments": [cows(ago(m=30), 8, bone_joint_aches=1)]}, True, id="COWS aches 1"
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=1), anxious=2)]}, False, id="SOWS anxious 2"
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=1), anxious=1)]}, True, id="SOWS anxious 1"
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=1), restless=2)]}, False, id="SOWS restless 2"
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=1), bones_and_muscles_ache=2)]},
            False,
            id="SOWS aches 2",
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=4, m=1), anxious=4)]},
            True,
            id="SOWS anxious 4 but 4 h 1 min old",
        ),
        pytest.param(
            {"assessments": [NO_TARGET, sows(ago(h=1), craving_to_use_now=4)]},
            True,
            id="SOWS craving only",
        ),
        pytest.param(
            {"assessments": [NO_TARGET], "sedation": [rass(ago(m=10), "+1")]}, False, id="RASS +1"
        ),
        pytest.param(
            {"assessments": [NO_TARGET], "sedation": [rass(ago(m=10), "0")]}, True, id="RASS 0"
        ),
        pytest.param(
            {"assessments": [NO_TARGET], "symptoms": [symptom(ago(h=12), "insomnia")]},
            False,
            id="insomnia exactly 12 h ago",
        ),
        pytest.param(
            {"assessments": [NO_TARGET], "symptoms": [symptom(ago(h=12, m=1), "insomnia")]},
            True,
            id="insomnia 12 h 1 min ago",
        ),
        pytest.param(
            {"assessments": [NO_TARGET], "symptoms": [symptom(ago(h=1), "nausea")]},
            True,
            id="nausea is not a target symptom",
        ),
    ],
)
def test_no_target_symptom(changes: dict[str, Any], fires: bool) -> None:
    assert (codes(indication.no_target_symptom, **changes) == ["no-target-symptom"]) is fires


@pytest.mark.parametrize(
    "code", ["anxiety", "agitation", "muscle-tension", "restless-legs", "insomnia", "poor-appetite"]
)
def test_each_recorded_target_symptom_indicates(code: str) -> None:
    answer = decide(assessments=[NO_TARGET], symptoms=[symptom(ago(h=2), code)])
    assert answer.action == "give"


def test_withdrawal_without_a_target_symptom_is_not_indicated() -> None:
    answer = decide(assessments=[NO_TARGET])
    assert answer.action == "not-indicated"
    assert "no-target-symptom" in answer.codes
    assert "no-withdrawal" not in answer.codes
