"""Dosing (clinical spec section 3 step 6 and section 7): which dose, and the next one.

Order of section 7: choose standard (0.5) / night (1) / severe, COWS >= 25 (1) /
night and severe (2); halve once for age >= 65 or mild liver disease; cap at what
remains of the 4 mg in the last 24 h; round down to a multiple of 0.125 mg; below
0.125 mg hold with daily-limit. Rows 11 and 12 below only pass in that order
(capping before halving gives another dose).

Day cases are at the base time (14:00 in London); night cases at 22:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from owm.clinical.rules import dosing

from .support import absolute, ack, ago, codes, context, cows, decide, dose, vitals

NIGHT = "2026-11-25T22:00:00Z"
OLDER = {"patient": {"age_years": 65}, "acknowledgements": [ack("older-adult", ago(h=1))]}


def with_cows(total: int, **changes: Any) -> dict[str, Any]:
    return {"add_assessments": [cows(ago(m=5), total)], **changes}


def given_in_24h(*amounts: str) -> dict[str, Any]:
    """Doses 18 h and 12 h ago (and more, 6 h apart before that), replacing the base doses."""
    hours_ago = [18, 12, 23][: len(amounts)]
    return {
        "administrations": [dose(ago(h=h), mg) for h, mg in zip(hours_ago, amounts, strict=True)]
    }


@pytest.mark.parametrize(
    ("changes", "mg", "night"),
    [
        pytest.param({}, "0.5", False, id="day, COWS 15: standard"),
        pytest.param(with_cows(24), "0.5", False, id="day, COWS 24: standard"),
        pytest.param(with_cows(25), "1", False, id="day, COWS 25: severe"),
        pytest.param(with_cows(36), "1", False, id="day, COWS 36: severe"),
        pytest.param({"at": NIGHT}, "1", True, id="night, COWS 15: night dose"),
        pytest.param(with_cows(24, at=NIGHT), "1", True, id="night, COWS 24: night dose"),
        pytest.param(with_cows(25, at=NIGHT), "2", True, id="night, COWS 25: maximum single"),
        pytest.param(
            with_cows(37, acknowledgements=[ack("severe-withdrawal", ago(m=1))]),
            "1",
            False,
            id="day, COWS 37 acknowledged: severe",
        ),
    ],
)
def test_dose_chosen(changes: dict[str, Any], mg: str, night: bool) -> None:
    answer = decide(**changes)
    assert answer.action == "give"
    assert answer.dose_mg == Decimal(mg)
    assert ("night-dose" in answer.codes) is night
    assert "dose-reduced" not in answer.codes


@pytest.mark.parametrize(
    ("changes", "mg", "remaining"),
    [
        pytest.param(OLDER, "0.25", "3.25", id="1 age 65: halved"),
        pytest.param(
            {"patient": {"conditions": ["mild-liver-disease"]}}, "0.25", "3.25", id="2 mild liver"
        ),
        pytest.param(
            {**OLDER, "patient": {"age_years": 65, "conditions": ["mild-liver-disease"]}},
            "0.25",
            "3.25",
            id="3 age 65 and mild liver: halved once, not twice",
        ),
        pytest.param({**OLDER, "at": NIGHT}, "0.5", "3.0", id="4 night, age 65"),
        pytest.param(with_cows(25, at=NIGHT, **OLDER), "1", "2.5", id="5 night, severe, age 65"),
        pytest.param({"at": NIGHT, **given_in_24h("2", "1.5")}, "0.5", "0", id="6 capped at 0.5"),
        pytest.param(given_in_24h("2", "1.7"), "0.25", "0.05", id="7 capped at 0.3, rounded down"),
        pytest.param(given_in_24h("2", "1.875"), "0.125", "0", id="8 exactly 0.125 left"),
        pytest.param(
            {"at": NIGHT, **given_in_24h("2", "1.55")}, "0.375", "0.075", id="9 0.45 left at night"
        ),
        pytest.param(
            {"at": NIGHT, **OLDER, **given_in_24h("2", "1.7")},
            "0.25",
            "0.05",
            id="11 night 1 halved to 0.5, capped at 0.3, rounded to 0.25",
        ),
        pytest.param(
            {**OLDER, **given_in_24h("2", "1.8")},
            "0.125",
            "0.075",
            id="12 0.5 halved to 0.25, capped at 0.2, rounded to 0.125",
        ),
    ],
)
def test_dose_adjustments_in_the_order_of_section_7(
    changes: dict[str, Any], mg: str, remaining: str
) -> None:
    answer = decide(**changes)
    assert answer.action == "give"
    assert answer.dose_mg == Decimal(mg)
    assert answer.remaining_24h_mg == Decimal(remaining)
    reduced = answer.finding("dose-reduced")
    assert reduced is not None and reduced.severity == "info"
    assert reduced.values["dose_mg"] == Decimal(mg)


def test_age_64_is_not_halved() -> None:
    answer = decide(patient={"age_years": 64})
    assert answer.dose_mg == Decimal("0.5")
    assert "dose-reduced" not in answer.codes


def test_0_124_mg_left_holds_with_daily_limit() -> None:
    answer = decide(**given_in_24h("2", "1.876"))
    assert answer.action == "hold"
    assert answer.dose_mg is None
    assert "daily-limit" in answer.codes
    assert answer.remaining_24h_mg == Decimal("0.124")


def test_the_doses_are_multiples_of_the_smallest_strength() -> None:
    step = Decimal("0.125")
    for left in ("0.13", "0.2", "0.33", "0.49", "0.51", "0.999", "1.9"):
        given = Decimal(4) - Decimal(left)
        answer = decide(at=NIGHT, **with_cows(25), **given_in_24h("2", str(given - 2)))
        assert answer.dose_mg is not None
        assert answer.dose_mg % step == 0, left
        assert answer.dose_mg <= Decimal(left)
        assert Decimal(left) - answer.dose_mg < step


@pytest.mark.parametrize(
    ("changes", "night", "reduced"),
    [
        pytest.param({"at": NIGHT}, ["night-dose"], [], id="night"),
        pytest.param({}, [], [], id="day"),
        pytest.param(OLDER, [], ["dose-reduced"], id="day, age 65"),
    ],
)
def test_the_dosing_rules_alone(
    changes: dict[str, Any], night: list[str], reduced: list[str]
) -> None:
    assert codes(dosing.night_dose, **changes) == night
    assert codes(dosing.dose_reduced, **changes) == reduced


# -- the next dose ---------------------------------------------------------------


def hours_from_now(answer_at: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else (moment - answer_at) / timedelta(hours=1)


@pytest.mark.parametrize(
    ("changes", "action", "next_in_hours", "remaining"),
    [
        pytest.param({}, "give", 6, "3.0", id="give: now + 6 h"),
        pytest.param(
            {"administrations": [dose(ago(h=2)), dose(ago(h=10))]},
            "hold",
            4,
            "3.0",
            id="hold min-interval: last dose + 6 h",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=17), "2"), dose(ago(h=12), "1"), dose(ago(h=6))]},
            "give",
            7,
            "0",
            id="give the last 0.5 mg: the window must roll on to +7 h",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=17), "2"), dose(ago(h=12), "1"), dose(ago(h=6), "1")]},
            "hold",
            7,
            "0",
            id="hold daily-limit: when the 2 mg dose leaves the window",
        ),
        pytest.param(
            {
                "administrations": [
                    dose(ago(h=23), "0.1"),
                    dose(ago(h=17), "1.9"),
                    dose(ago(h=11), "1"),
                    dose(ago(h=6), "1"),
                ]
            },
            "hold",
            7,
            "0",
            id="0.1 mg leaving at +1 h is not enough: +7 h",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=23), "2"), dose(ago(h=6), "2")]},
            "hold",
            1,
            "0",
            id="the 2 mg from 23 h ago leaves the window at exactly +1 h",
        ),
        pytest.param({"administrations": []}, "give", 6, "3.5", id="first dose: now + 6 h"),
        pytest.param(
            {"administrations": [], "vitals": [vitals(ago(h=5))]},
            "hold",
            None,
            "4",
            id="no dose given and none recommended: no next time",
        ),
    ],
)
def test_next_dose_not_before_and_remaining(
    changes: dict[str, Any], action: str, next_in_hours: float | None, remaining: str
) -> None:
    answer = decide(**changes)
    assert answer.action == action
    assert hours_from_now(answer.at, answer.next_dose_not_before) == next_in_hours
    assert answer.remaining_24h_mg == Decimal(remaining)


def test_next_dose_not_before_is_when_the_smallest_strength_fits_again() -> None:
    """At the time given, a new dose passes both min-interval and daily-limit; a minute
    earlier it does not."""
    doses = [(17, "2"), (12, "1"), (6, "1")]
    changes = {"administrations": [dose(absolute(ago(h=h)), mg) for h, mg in doses]}
    answer = decide(**changes)
    assert answer.next_dose_not_before is not None
    later = answer.next_dose_not_before
    at_next = context(at=later, **changes)
    assert at_next.remaining_24h >= Decimal("0.125")
    assert at_next.last_dose is not None
    assert later - at_next.last_dose.at >= timedelta(hours=6)
    just_before = context(at=later - timedelta(minutes=1), **changes)
    assert just_before.remaining_24h < Decimal("0.125")


def test_remaining_24h_counts_the_window_edges() -> None:
    """(decision time - 24 h, decision time]: a dose exactly 24 h ago is out, one now is in."""
    ctx = context(
        administrations=[dose(ago(h=24), "2"), dose(ago(h=23, m=59), "1"), dose(ago(), "0.5")]
    )
    assert ctx.total_24h == Decimal("1.5")
    assert ctx.remaining_24h == Decimal("2.5")
