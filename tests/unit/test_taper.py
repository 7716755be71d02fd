"""The taper plan: the FDA label's 0.125 mg twice daily every 3 days, as protocol values.

The plan starts the day after the decision, lowers the daily amount by one step
per dose every `step_every_days` days, never raises it, never skips or overlaps a
day, and ends with a stop.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from owm.clinical import default_protocol, evaluate, parse_state
from owm.clinical.protocol import Taper
from owm.clinical.taper import taper_plan

LABEL = default_protocol().taper
START = date(2026, 12, 1)
EXAMPLE = Path(__file__).parents[2] / "examples" / "state-moderate-withdrawal.json"


def daily_amounts(plan: tuple[dict[str, Any], ...]) -> list[Decimal]:
    return [step["daily_mg"] for step in plan]


def test_from_half_a_milligram_three_times_a_day() -> None:
    plan = taper_plan(LABEL, Decimal("1.5"), START)
    assert daily_amounts(plan) == [Decimal(x) for x in ("1.25", "1", "0.75", "0.5", "0.25", "0")]
    assert [step["dose_mg"] for step in plan] == [
        Decimal(x) for x in ("0.625", "0.5", "0.375", "0.25", "0.125", "0")
    ]
    assert plan[0] == {
        "from": "2026-12-01",
        "to": "2026-12-03",
        "daily_mg": Decimal("1.25"),
        "dose_mg": Decimal("0.625"),
        "doses_per_day": 2,
    }
    assert plan[-1] == {
        "from": "2026-12-16",
        "to": None,
        "daily_mg": Decimal(0),
        "dose_mg": Decimal(0),
        "doses_per_day": 0,
    }


@pytest.mark.parametrize(
    "daily", ["0.125", "0.25", "0.5", "0.75", "1", "1.5", "2", "2.125", "3", "3.875", "4"]
)
def test_every_plan_steps_down_evenly_and_ends_with_a_stop(daily: str) -> None:
    plan = taper_plan(LABEL, Decimal(daily), START)
    per_day_step = LABEL.step_mg * LABEL.doses_per_day
    amounts = daily_amounts(plan)
    assert amounts[-1] == 0 and plan[-1]["to"] is None
    assert amounts[0] < Decimal(daily) or amounts == [0]  # the first step is already lower
    assert all(a - b == per_day_step for a, b in itertools.pairwise(amounts))
    for step in plan[:-1]:
        assert step["dose_mg"] * step["doses_per_day"] == step["daily_mg"]
        assert step["dose_mg"] % LABEL.step_mg == 0  # a whole number of the smallest strength
    # consecutive, without gaps or overlaps, each as long as the protocol says
    day = START
    for step in plan[:-1]:
        assert step["from"] == day.isoformat()
        assert step["to"] == (day + timedelta(days=LABEL.step_every_days - 1)).isoformat()
        day += timedelta(days=LABEL.step_every_days)
    assert plan[-1]["from"] == day.isoformat()


def test_an_amount_between_steps_is_rounded_down_first() -> None:
    assert daily_amounts(taper_plan(LABEL, Decimal("1.6"), START))[0] == Decimal("1.25")
    assert daily_amounts(taper_plan(LABEL, Decimal("1.5"), START))[0] == Decimal("1.25")


@pytest.mark.parametrize("daily", ["0", "0.125", "0.25"])
def test_from_the_last_step_or_nothing_the_plan_is_to_stop(daily: str) -> None:
    plan = taper_plan(LABEL, Decimal(daily), START)
    assert plan == (
        {
            "from": "2026-12-01",
            "to": None,
            "daily_mg": Decimal(0),
            "dose_mg": Decimal(0),
            "doses_per_day": 0,
        },
    )


def test_the_protocol_sets_step_frequency_and_length() -> None:
    unit = Taper(step_mg=Decimal("0.25"), doses_per_day=3, step_every_days=7)
    plan = taper_plan(unit, Decimal("3"), START)
    assert daily_amounts(plan) == [Decimal(x) for x in ("2.25", "1.5", "0.75", "0")]
    assert [step["dose_mg"] for step in plan[:-1]] == [Decimal(x) for x in ("0.75", "0.5", "0.25")]
    assert [step["from"] for step in plan] == [
        "2026-12-01",
        "2026-12-08",
        "2026-12-15",
        "2026-12-22",
    ]


# -- in the answer ----------------------------------------------------------------------


def _long_course() -> dict[str, Any]:
    """Day 9 of 0.5 mg three times a day: taper-needed, with a course-limit escalation."""
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["at"] = "2026-11-25T23:30:00Z"
    doses = []
    day0 = date(2026, 11, 17)
    for d in range(9):
        for hour in ("08:00", "14:00", "20:00"):
            when = f"{(day0 + timedelta(days=d)).isoformat()}T{hour}:00Z"
            if when <= data["at"]:
                doses.append({"drug": "clonazepam", "dose_mg": "0.5", "at": when})
    data["administrations"] = doses
    data["assessments"][-1]["at"] = "2026-11-25T23:00:00Z"
    data["vitals"][0]["at"] = "2026-11-25T23:00:00Z"
    data["sedation"][0]["at"] = "2026-11-25T23:00:00Z"
    return data


def test_the_answer_carries_a_taper_plan_when_taper_is_needed() -> None:
    protocol = default_protocol()
    answer = evaluate(parse_state(_long_course(), protocol), protocol).to_json()
    assert answer["course_day"] == 9
    assert "taper-needed" in {f["code"] for f in answer["findings"]}
    plan = answer["taper_plan"]
    # 1.5 mg in the last 24 h; the plan starts the next day on the ward (London: 26 Nov)
    assert plan[0] == {
        "from": "2026-11-26",
        "to": "2026-11-28",
        "daily_mg": "1.25",
        "dose_mg": "0.625",
        "doses_per_day": 2,
    }
    assert plan[-1]["daily_mg"] == "0.0" and plan[-1]["to"] is None


def test_no_taper_plan_early_in_the_course() -> None:
    protocol = default_protocol()
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    answer = evaluate(parse_state(data, protocol), protocol).to_json()
    assert answer["taper_plan"] == []
    assert "taper-needed" not in {f["code"] for f in answer["findings"]}
