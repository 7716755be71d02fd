"""Escalations (clinical spec section 3 step 4): a physician decides.

Course limit (course day above 4), severe withdrawal (COWS above 36), pregnancy,
age 65 or more, a history of benzodiazepine misuse, and not improving (3 or more
counted doses and the latest COWS not below the last COWS at or before the first
dose). Interactions that escalate are in test_interactions.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import escalations

from .support import ago, codes, cows, decide, dose


@pytest.mark.parametrize(
    ("first_dose", "fires"),
    [
        pytest.param(ago(d=4), True, id="first dose exactly 4 days ago: day 5"),
        pytest.param(ago(d=3, h=23, m=59), False, id="first dose 3 days 23 h 59 min ago: day 4"),
        pytest.param(ago(d=10), True, id="day 11"),
    ],
)
def test_course_limit(first_dose: Any, fires: bool) -> None:
    administrations = [dose(first_dose), dose(ago(h=7))]
    assert (codes(escalations.course_limit, administrations=administrations) != []) is fires


def test_course_limit_ignores_a_refused_first_dose() -> None:
    administrations = [dose(ago(d=6), outcome="refused"), dose(ago(d=3)), dose(ago(h=7))]
    assert codes(escalations.course_limit, administrations=administrations) == []


@pytest.mark.parametrize(
    ("total", "fires"),
    [
        pytest.param(36, False, id="COWS 36"),
        pytest.param(37, True, id="COWS 37"),
        pytest.param(48, True, id="COWS 48"),
    ],
)
def test_severe_withdrawal(total: int, fires: bool) -> None:
    changes = {"add_assessments": [cows(ago(m=5), total)]}
    assert (codes(escalations.severe_withdrawal, **changes) == ["severe-withdrawal"]) is fires


def test_severe_withdrawal_escalates() -> None:
    answer = decide(add_assessments=[cows(ago(m=5), 37)])
    assert answer.action == "escalate"
    assert "severe-withdrawal" in answer.codes


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        pytest.param({"pregnant": True}, ["pregnancy"], id="pregnant"),
        pytest.param({"pregnant": False}, [], id="not pregnant"),
        pytest.param({"pregnant": None}, [], id="pregnancy unknown"),
        pytest.param({"age_years": 64}, [], id="age 64"),
        pytest.param({"age_years": 65}, ["older-adult"], id="age 65"),
        pytest.param({"age_years": 90}, ["older-adult"], id="age 90"),
        pytest.param({"age_years": None}, [], id="age unknown"),
        pytest.param(
            {"history": ["benzodiazepine-misuse"]}, ["benzodiazepine-misuse"], id="misuse"
        ),
        pytest.param({"history": ["alcohol-use-disorder"]}, [], id="alcohol use disorder"),
    ],
)
def test_patient_escalations(patient: dict[str, Any], expected: list[str]) -> None:
    rules = [escalations.pregnancy, escalations.older_adult, escalations.misuse]
    assert [c for rule in rules for c in codes(rule, patient=patient)] == expected


BASELINE = cows(ago(h=30), 20)  # the last COWS before the first dose


@pytest.mark.parametrize(
    ("assessments", "administrations", "fires"),
    [
        pytest.param(
            [BASELINE, cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            True,
            id="3 doses, COWS equal to baseline",
        ),
        pytest.param(
            [BASELINE, cows(ago(m=30), 19)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            False,
            id="3 doses, COWS 1 below baseline",
        ),
        pytest.param(
            [BASELINE, cows(ago(m=30), 25)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            True,
            id="3 doses, COWS worse",
        ),
        pytest.param(
            [BASELINE, cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=8))],
            False,
            id="2 doses",
        ),
        pytest.param(
            [BASELINE, cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20), outcome="refused"), dose(ago(h=8))],
            False,
            id="3 doses, one refused",
        ),
        pytest.param(
            [BASELINE, cows(ago(m=30), 20)],
            [
                dose(ago(h=29)),
                dose(ago(h=20), outcome="vomited"),
                dose(ago(h=8), "0.25", outcome="partial"),
            ],
            True,
            id="3 doses, one vomited and one partial",
        ),
        pytest.param(
            [cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            False,
            id="no COWS before the first dose: no baseline",
        ),
        pytest.param(
            [cows(ago(h=29), 20), cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            True,
            id="baseline COWS at the moment of the first dose",
        ),
        pytest.param(
            [cows(ago(h=40), 30), cows(ago(h=30), 15), cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            True,
            id="the last COWS before the first dose is the baseline, not the worst",
        ),
        pytest.param(
            [cows(ago(h=30), 15), cows(ago(h=28), 30), cows(ago(m=30), 20)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            True,
            id="a COWS after the first dose is not the baseline",
        ),
        pytest.param(
            [BASELINE, cows(ago(h=25), 30), cows(ago(m=30), 10)],
            [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            False,
            id="the latest COWS counts, not the worst since",
        ),
    ],
)
def test_not_improving(
    assessments: list[dict[str, Any]], administrations: list[dict[str, Any]], fires: bool
) -> None:
    changes = {"assessments": assessments, "administrations": administrations}
    assert (codes(escalations.not_improving, **changes) == ["not-improving"]) is fires


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"administrations": [dose(ago(d=5)), dose(ago(h=7))]}, id="course-limit"),
        pytest.param({"patient": {"pregnant": True}}, id="pregnancy"),
        pytest.param({"patient": {"age_years": 65}}, id="older-adult"),
        pytest.param({"patient": {"history": ["benzodiazepine-misuse"]}}, id="misuse"),
        pytest.param(
            {
                "assessments": [BASELINE, cows(ago(m=30), 20)],
                "administrations": [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
            },
            id="not-improving",
        ),
    ],
)
def test_every_escalation_stops_a_dose_until_acknowledged(changes: dict[str, Any]) -> None:
    answer = decide(**changes)
    assert answer.action == "escalate"
    assert answer.dose_mg is None
