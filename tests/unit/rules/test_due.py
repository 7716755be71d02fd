"""When things are due (clinical spec section 7), as hours from the decision time.

- reassessment: 60 min after the latest counted dose (after the recommended dose
  when the action is give); none when sedation and COWS were both recorded at or
  after that time, or when nothing has been given;
- assessment: latest COWS + 2 h when moderate or worse (13 or more), + 4 h
  otherwise; now when there is none;
- observations: latest vital signs + 12 h for NEWS2 0, + 4 h for 1-4, + 1 h for
  an urgent response; now for an emergency (and when no NEWS2 can be scored).

The base patient: COWS 15, POSS 1 and vital signs (NEWS2 1) 30 min ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from owm.clinical import Recommendation

from .support import ago, cows, decide, dose, poss, vitals


def due_in_hours(answer: Recommendation, key: str) -> float | None:
    moment: datetime | None = answer.due[key]
    return None if moment is None else (moment - answer.at) / timedelta(hours=1)


@pytest.mark.parametrize(
    ("changes", "action", "hours"),
    [
        pytest.param({}, "give", 1, id="give: 60 min after the recommended dose"),
        pytest.param(
            {"administrations": [dose(ago(h=2))]},
            "hold",
            None,
            id="dose 2 h ago; sedation and COWS both after 1 h: done",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=2))], "sedation": [poss(ago(h=1, m=30), "1")]},
            "hold",
            -1,
            id="sedation scored before the hour: still due (overdue)",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=2))], "assessments": [cows(ago(h=1, m=30), 15)]},
            "hold",
            -1,
            id="COWS scored before the hour: still due",
        ),
        pytest.param(
            {
                "administrations": [dose(ago(h=2))],
                "sedation": [poss(ago(h=1), "1")],
                "assessments": [cows(ago(h=1), 15)],
            },
            "hold",
            None,
            id="both scored exactly at the hour: done",
        ),
        pytest.param(
            {"administrations": [dose(ago(m=30))]},
            "hold",
            0.5,
            id="dose 30 min ago: due in 30 min",
        ),
        pytest.param(
            {"administrations": [dose(ago(m=30), outcome="vomited")]},
            "hold",
            0.5,
            id="a vomited dose counts",
        ),
        pytest.param(
            {"administrations": [dose(ago(m=30), outcome="refused")], "vitals": []},
            "hold",
            None,
            id="a refused dose does not",
        ),
        pytest.param(
            {"administrations": [], "vitals": []}, "hold", None, id="nothing given: nothing due"
        ),
    ],
)
def test_due_reassessment(changes: dict[str, Any], action: str, hours: float | None) -> None:
    answer = decide(**changes)
    assert answer.action == action
    assert due_in_hours(answer, "reassessment") == hours


@pytest.mark.parametrize(
    ("assessments", "hours"),
    [
        pytest.param([cows(ago(m=30), 12)], 3.5, id="COWS 12 (mild): + 4 h"),
        pytest.param([cows(ago(m=30), 13)], 1.5, id="COWS 13 (moderate): + 2 h"),
        pytest.param([cows(ago(m=30), 37)], 1.5, id="COWS 37 (severe): + 2 h"),
        pytest.param([cows(ago(m=30), 4)], 3.5, id="COWS 4: + 4 h"),
        pytest.param([], 0, id="no COWS: now"),
        pytest.param([cows(ago(h=5), 20)], -3, id="COWS 5 h old: overdue by 3 h"),
        pytest.param([cows(ago(h=3), 30), cows(ago(m=30), 8)], 3.5, id="the latest COWS decides"),
    ],
)
def test_due_assessment(assessments: list[dict[str, Any]], hours: float) -> None:
    assert due_in_hours(decide(assessments=assessments), "assessment") == hours


@pytest.mark.parametrize(
    ("changes", "hours"),
    [
        pytest.param({"vitals": [vitals(ago(m=30))]}, 11.5, id="NEWS2 0: + 12 h"),
        pytest.param({"vitals": [vitals(ago(m=30), pulse=91)]}, 3.5, id="NEWS2 1: + 4 h"),
        pytest.param(
            {"vitals": [vitals(ago(m=30), respiratory_rate=21, pulse=111)]}, 3.5, id="NEWS2 4"
        ),
        pytest.param(
            {"vitals": [vitals(ago(m=30), respiratory_rate=21, pulse=111, temperature_c="38.1")]},
            0.5,
            id="NEWS2 5: + 1 h",
        ),
        pytest.param(
            {"vitals": [vitals(ago(m=30), respiratory_rate=25)]}, 0.5, id="single 3: + 1 h"
        ),
        pytest.param(
            {
                "vitals": [
                    vitals(ago(m=30), respiratory_rate=21, pulse=111, systolic_bp=100, spo2=94)
                ]
            },
            0,
            id="NEWS2 7: now",
        ),
        pytest.param(
            {"vitals": [vitals(ago(m=30))], "sedation": [poss(ago(m=30), "4")]},
            0,
            id="overdose suspected with NEWS2 0: now",
        ),
        pytest.param(
            {"vitals": [vitals(ago(m=30), temperature_c=None)]}, 0, id="incomplete set: now"
        ),
        pytest.param({"vitals": []}, 0, id="no vital signs: now"),
        pytest.param({"vitals": [vitals(ago(h=13))]}, -1, id="NEWS2 0, 13 h old: overdue"),
    ],
)
def test_due_observations(changes: dict[str, Any], hours: float) -> None:
    assert due_in_hours(decide(**changes), "observations") == hours
