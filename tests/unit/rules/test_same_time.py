"""Same-time records (clinical spec section 8): the most severe one counts.

Several records of one kind at the same latest moment are all read: POSS 4 > 3 >
2 > 1 = S; the lowest RASS for sedation and the highest for agitation; each vital
sign at its worst NEWS2 value (the emergency signs from any of the sets); the
highest withdrawal total. The order the records arrive in never matters.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.readings import merge_vitals

from .support import ago, build, context, cows, decide, med, poss, rass, vitals


@pytest.mark.parametrize(
    ("sedation", "action", "code"),
    [
        pytest.param(["S", "4"], "emergency", "overdose-suspected", id="POSS S and 4"),
        pytest.param(["4", "S"], "emergency", "overdose-suspected", id="POSS 4 and S"),
        pytest.param(["1", "3"], "hold", "oversedation", id="POSS 1 and 3"),
        pytest.param(["2", "1"], "give", None, id="POSS 2 and 1"),
    ],
)
def test_the_most_severe_poss_at_one_moment_counts(
    sedation: list[str], action: str, code: str | None
) -> None:
    answer = decide(sedation=[poss(ago(m=30), level) for level in sedation])
    assert answer.action == action
    if code is not None:
        assert code in answer.codes


@pytest.mark.parametrize(
    ("levels", "action", "code"),
    [
        pytest.param(["-4", "0"], "emergency", "overdose-suspected", id="RASS -4 and 0"),
        pytest.param(["0", "-2"], "hold", "oversedation", id="RASS 0 and -2"),
    ],
)
def test_the_lowest_rass_counts_for_sedation(levels: list[str], action: str, code: str) -> None:
    answer = decide(sedation=[rass(ago(m=30), level) for level in levels])
    assert answer.action == action
    assert code in answer.codes


def test_the_highest_rass_counts_for_agitation() -> None:
    """RASS +2 beside RASS 0 at the same moment: agitation is a target symptom."""
    ctx = context(
        assessments=[cows(ago(m=30), 10, resting_pulse=4, pupil_size=5, gooseflesh=0)],
        sedation=[rass(ago(m=30), "0"), rass(ago(m=30), "+2")],
    )
    assert ctx.recent_rass == 0
    assert ctx.recent_rass_agitation == 2


def test_a_breathing_rate_of_6_beside_a_normal_set_is_an_emergency() -> None:
    answer = decide(vitals=[vitals(ago(m=20)), vitals(ago(m=20), respiratory_rate=6)])
    assert answer.action == "emergency"
    assert "overdose-suspected" in answer.codes


def test_a_slow_pulse_beside_a_fast_one_still_counts_with_sedation() -> None:
    """Pulse 131 scores more NEWS2 points than 45, but with POSS 3 the slow pulse is an
    overdose sign: the emergency signs are read from every set of the moment."""
    answer = decide(
        vitals=[vitals(ago(m=20), pulse=131), vitals(ago(m=20), pulse=45)],
        sedation=[poss(ago(m=20), "3")],
    )
    assert answer.action == "emergency"


def test_vital_signs_at_one_moment_merge_each_parameter_at_its_worst() -> None:
    state = build(
        vitals=[
            vitals(ago(m=20), respiratory_rate=22, temperature_c="35.5", oxygen=None),
            vitals(ago(m=20), respiratory_rate=10, temperature_c="38.5", spo2=None, oxygen=True),
        ]
    )
    merged = merge_vitals(state.vitals)
    assert merged is not None
    assert merged.respiratory_rate == 22  # 2 points beat 1
    assert str(merged.temperature_c) == "35.5"  # both 1 point: the lower value
    assert merged.spo2 == 98 and merged.oxygen is True
    assert merged.complete  # complete when every parameter is in one of them


def test_two_partial_sets_at_one_moment_make_a_complete_set() -> None:
    answer = decide(
        vitals=[
            vitals(ago(m=20), spo2=None, temperature_c=None),
            vitals(
                ago(m=20),
                respiratory_rate=None,
                oxygen=None,
                systolic_bp=None,
                pulse=None,
                consciousness=None,
            ),
        ]
    )
    assert "vitals-stale" not in answer.codes
    assert answer.news2 == {"score": 0, "response": "low"}


@pytest.mark.parametrize(
    "order", [pytest.param((15, 40), id="15 then 40"), pytest.param((40, 15), id="40 then 15")]
)
def test_the_highest_withdrawal_total_at_one_moment_counts(order: tuple[int, int]) -> None:
    answer = decide(assessments=[cows(ago(m=30), total) for total in order])
    assert answer.withdrawal is not None and answer.withdrawal["score"] == 40
    assert "severe-withdrawal" in answer.codes


def test_the_order_of_same_time_records_never_changes_the_answer() -> None:
    records: dict[str, Any] = {
        "sedation": [poss(ago(m=30), "1"), poss(ago(m=30), "3"), rass(ago(m=30), "-1")],
        "vitals": [vitals(ago(m=20), pulse=88), vitals(ago(m=20), pulse=112)],
        "medications": [med("methadone", "opioid")],
    }
    first = decide(**records).to_json()
    again = decide(**{k: list(reversed(v)) for k, v in records.items()}).to_json()
    assert first == again
