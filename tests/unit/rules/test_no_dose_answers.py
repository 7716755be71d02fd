"""What the answer says when no dose may be given (clinical spec section 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .support import ago, decide, dose, med, poss


def test_an_emergency_offers_no_companion_no_counselling_and_no_next_dose() -> None:
    answer = decide(sedation=[poss(ago(m=10), "4")], administrations=[dose(ago(h=2))])
    assert answer.action == "emergency"
    assert answer.companions == ()
    assert "counselling" not in answer.codes
    assert answer.next_dose_not_before is None
    assert answer.remaining_24h_mg == Decimal("3.5")  # as now
    assert not answer.shows_next_dose and not answer.shows_remaining


def test_a_contraindication_gives_no_next_dose_time() -> None:
    answer = decide(alcohol={"last_drink_at": ago(h=2)}, administrations=[dose(ago(h=2))])
    assert answer.action == "contraindicated"
    assert answer.next_dose_not_before is None
    assert not answer.shows_next_dose and not answer.shows_remaining
    assert [c["drug"] for c in answer.companions if c["for"] == "benzodiazepine-contraindicated"]


def test_remaining_is_never_below_zero_and_daily_limit_says_by_how_much() -> None:
    answer = decide(
        administrations=[dose(ago(h=20), "2"), dose(ago(h=14), "2"), dose(ago(h=7), "1")]
    )
    assert answer.action == "hold"
    assert answer.remaining_24h_mg == Decimal(0)
    finding = answer.finding("daily-limit")
    assert finding is not None
    assert finding.values["over_by_mg"] == Decimal(1)
    assert "1.0 mg over" in finding.message


@pytest.mark.parametrize(
    ("changes", "shows"),
    [
        pytest.param({}, True, id="give"),
        pytest.param({"administrations": [dose(ago(h=1))]}, True, id="hold for min-interval only"),
        pytest.param(
            {"administrations": [dose(ago(h=1))], "medications": [med("methadone", "opioid")]},
            False,
            id="hold for min-interval with an escalation waiting",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=1))], "sedation": [poss(ago(m=5), "3")]},
            False,
            id="hold for oversedation",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=7))], "medications": [med("methadone", "opioid")]},
            False,
            id="escalate",
        ),
    ],
)
def test_a_next_dose_time_is_shown_only_when_it_means_something(
    changes: dict[str, object], shows: bool
) -> None:
    assert decide(**changes).shows_next_dose is shows


def test_the_night_dose_names_the_dose_before_and_after_reduction() -> None:
    answer = decide(at="2026-11-25T23:00:00Z", patient={"conditions": ["mild-liver-disease"]})
    assert answer.action == "give" and answer.dose_mg == Decimal("0.5")
    finding = answer.finding("night-dose")
    assert finding is not None
    assert "night dose 1.0 mg, reduced to 0.5 mg" in finding.message
