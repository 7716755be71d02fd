"""Course day and taper (clinical spec section 7): whole 24 h periods, not calendar days.

Course day = whole 24 h periods since the first counted clonazepam dose, plus 1;
day 1 before any dose. taper-needed fires when the course day is above 7, and
the answer then carries a taper plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from owm.clinical.rules import course

from .support import ago, codes, context, decide, dose


@pytest.mark.parametrize(
    ("administrations", "day"),
    [
        pytest.param([], 1, id="no dose yet: day 1"),
        pytest.param([dose(ago())], 1, id="first dose now: day 1"),
        pytest.param([dose(ago(h=23, m=59))], 1, id="23 h 59 min after the first dose: day 1"),
        pytest.param([dose(ago(h=24))], 2, id="exactly 24 h after: day 2"),
        pytest.param([dose(ago(h=47, m=59))], 2, id="47 h 59 min after: day 2"),
        pytest.param([dose(ago(h=48))], 3, id="exactly 48 h after: day 3"),
        pytest.param(
            [dose(ago(h=30), outcome="refused"), dose(ago(h=7))],
            1,
            id="a refused first dose does not start the course",
        ),
        pytest.param(
            [dose(ago(h=30), outcome="vomited"), dose(ago(h=7))],
            2,
            id="a vomited first dose starts the course",
        ),
        pytest.param(
            [dose(ago(h=7)), dose(ago(h=30))], 2, id="the earliest dose counts, in any order"
        ),
        pytest.param(
            [dose(ago(h=30), drug="diazepam", mg="5"), dose(ago(h=7))],
            1,
            id="another benzodiazepine does not start the course",
        ),
    ],
)
def test_course_day(administrations: list[dict[str, Any]], day: int) -> None:
    assert context(administrations=administrations).course_day == day
    assert decide(administrations=administrations).course_day == day


@pytest.mark.parametrize(
    ("at", "first_dose", "day"),
    [
        # Europe/London springs forward on 29 March 2026: the local day has 23 hours
        pytest.param("2026-03-29T12:00:00Z", "2026-03-28T12:00:00Z", 2, id="24 h over spring DST"),
        pytest.param(
            "2026-03-29T11:59:00Z", "2026-03-28T12:00:00Z", 1, id="23 h 59 min over spring DST"
        ),
        # and falls back on 25 October 2026: the local day has 25 hours
        pytest.param("2026-10-25T12:00:00Z", "2026-10-24T12:00:00Z", 2, id="24 h over autumn DST"),
        pytest.param(
            "2026-10-25T11:59:00Z", "2026-10-24T12:00:00Z", 1, id="23 h 59 min over autumn DST"
        ),
    ],
)
def test_course_day_counts_24_h_periods_across_daylight_saving(
    at: str, first_dose: str, day: int
) -> None:
    assert context(at=at, administrations=[dose(first_dose)]).course_day == day


@pytest.mark.parametrize(
    ("first_dose", "fires"),
    [
        pytest.param(ago(d=7), True, id="exactly 7 days after the first dose: day 8"),
        pytest.param(ago(d=6, h=23, m=59), False, id="6 days 23 h 59 min: day 7"),
    ],
)
def test_taper_needed(first_dose: Any, fires: bool) -> None:
    administrations = [dose(first_dose), dose(ago(h=7))]
    assert (
        codes(course.taper_needed, administrations=administrations) == ["taper-needed"]
    ) is fires
    answer = decide(administrations=administrations)
    assert bool(answer.taper_plan) is fires
    finding = answer.finding("taper-needed")
    assert (finding is not None and finding.severity == "warning") is fires


def test_taper_needed_never_blocks_and_shows_with_any_action() -> None:
    """A warning: the course limit (escalate) decides the action, taper-needed informs."""
    answer = decide(administrations=[dose(ago(d=8)), dose(ago(h=7))])
    assert answer.action == "escalate"
    assert {"course-limit", "taper-needed"} <= set(answer.codes)


def test_the_taper_starts_one_step_below_the_regimen_not_below_a_part_day() -> None:
    """0.5 mg every 8 h (1.5 mg/day), asked 9 h after the last dose: the last 24 h hold
    only 1 mg, yet the patient's regimen is 1.5 mg/day, so the first step is 1.25 mg/day
    (one step of 0.125 mg twice daily), not 0.75 mg/day (two steps at once)."""
    every_8_h = [dose(ago(h=9 + 8 * n)) for n in range(24)]
    answer = decide(administrations=every_8_h)
    assert answer.finding("taper-needed") is not None
    first = answer.taper_plan[0]
    assert first["daily_mg"] == Decimal("1.25")
    assert first["dose_mg"] == Decimal("0.625")
    assert answer.taper_plan[-1]["daily_mg"] == 0
