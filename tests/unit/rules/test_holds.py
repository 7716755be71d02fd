"""Holds (clinical spec section 3 step 3; section 7): not now.

Over-sedation, NEWS2 urgent (see test_emergency), the minimum interval, the
24 h maximum, and fresh assessments and observations. The base patient's last
dose was 7 h 50 min ago (0.5 mg), the one before 28 h ago; COWS, POSS and vital
signs are 30 min old.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from owm.clinical.rules import holds

from .support import (
    after,
    ago,
    codes,
    context,
    cows,
    decide,
    dose,
    poss,
    protocol_with,
    rass,
    sows,
    vitals,
)


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        pytest.param({"sedation": [poss(ago(m=10), "3")]}, True, id="POSS 3"),
        pytest.param({"sedation": [poss(ago(m=10), "2")]}, False, id="POSS 2"),
        pytest.param(
            {"sedation": [poss(ago(m=10), "S")]}, False, id="POSS S (asleep, easy to rouse)"
        ),
        pytest.param({"sedation": [rass(ago(m=10), "-2")]}, True, id="RASS -2"),
        pytest.param({"sedation": [rass(ago(m=10), "-3")]}, True, id="RASS -3"),
        pytest.param({"sedation": [rass(ago(m=10), "-1")]}, False, id="RASS -1"),
        pytest.param(
            {"sedation": [rass(ago(m=10), "-4")]}, False, id="RASS -4 is an emergency instead"
        ),
        pytest.param(
            {
                "sedation": [poss(ago(m=10), "3")],
                "vitals": [vitals(ago(m=10), respiratory_rate=11)],
            },
            False,
            id="POSS 3 + RR 11 is an emergency instead",
        ),
        pytest.param({"sedation": [poss(ago(h=4), "3")]}, True, id="POSS 3 exactly 4 h ago"),
        pytest.param({"sedation": [poss(ago(h=4, m=1), "3")]}, False, id="POSS 3 4 h 1 min ago"),
    ],
)
def test_oversedation(changes: dict[str, Any], fires: bool) -> None:
    assert (codes(holds.oversedation, **changes) == ["oversedation"]) is fires


@pytest.mark.parametrize(
    ("administrations", "fires"),
    [
        pytest.param([dose(ago(h=6))], False, id="exactly 6 h ago: allowed"),
        pytest.param([dose(ago(h=5, m=59))], True, id="5 h 59 min ago: hold"),
        pytest.param([dose(ago(h=5, m=59, s=59))], True, id="5 h 59 min 59 s ago: hold"),
        pytest.param([dose(ago(h=1), outcome="refused")], False, id="refused 1 h ago: not counted"),
        pytest.param([dose(ago(h=1), outcome="vomited")], True, id="vomited 1 h ago: counts"),
        pytest.param(
            [dose(ago(h=1), "0.25", outcome="partial")], True, id="partial 1 h ago: counts"
        ),
        pytest.param([dose(ago(h=1), outcome="given")], True, id="given 1 h ago"),
        pytest.param(
            [dose(ago(h=7)), dose(ago(h=2), outcome="refused")],
            False,
            id="refused after a counted dose 7 h ago",
        ),
        pytest.param(
            [dose(ago(h=1), drug="lorazepam", mg="1")],
            False,
            id="another benzodiazepine 1 h ago: not the clonazepam interval",
        ),
        pytest.param([dose(after(m=10))], False, id="a dose after the decision time is ignored"),
        # late charting: a dose counts from when it was given, not when it was charted
        pytest.param(
            [dose(ago(h=5, m=59), recorded=ago(h=4))],
            True,
            id="given 5 h 59 min ago, charted 2 h later: hold",
        ),
        pytest.param(
            [dose(ago(h=6), recorded=ago())], False, id="given 6 h ago, charted now: allowed"
        ),
        pytest.param(
            [dose(ago(h=1), recorded=after(m=30))],
            True,
            id="given 1 h ago, charted after the decision time: still counts",
        ),
        pytest.param([], False, id="no dose yet"),
    ],
)
def test_min_interval(administrations: list[dict[str, Any]], fires: bool) -> None:
    assert (codes(holds.min_interval, administrations=administrations) == ["min-interval"]) is fires


def test_min_interval_says_when_the_next_dose_is_allowed() -> None:
    answer = decide(administrations=[dose(ago(h=2))])
    assert answer.action == "hold"
    assert answer.codes[0] == "min-interval"
    assert answer.next_dose_not_before == answer.at + timedelta(hours=4)


@pytest.mark.parametrize(
    ("administrations", "total", "fires"),
    [
        # the 24 h window is (decision time - 24 h, decision time]
        pytest.param(
            [dose(ago(h=24), "3.5"), dose(ago(h=6), "0.5")],
            "0.5",
            False,
            id="3.5 mg exactly 24 h ago: out of the window",
        ),
        pytest.param(
            [dose(ago(h=23, m=59), "3.5"), dose(ago(h=6), "0.5")],
            "4.0",
            True,
            id="3.5 mg 23 h 59 min ago: in the window",
        ),
        pytest.param(
            [dose(ago(h=18), "2"), dose(ago(h=12), "1.875")],
            "3.875",
            False,
            id="0.125 mg left: the smallest strength fits",
        ),
        pytest.param(
            [dose(ago(h=18), "2"), dose(ago(h=12), "1.876")],
            "3.876",
            True,
            id="0.124 mg left: nothing fits",
        ),
        pytest.param(
            [dose(ago(h=18), "2"), dose(ago(h=12), "2", outcome="refused")],
            "2",
            False,
            id="a refused dose does not count",
        ),
        pytest.param(
            [dose(ago(h=18), "2"), dose(ago(h=12), "2", outcome="vomited")],
            "4",
            True,
            id="a vomited dose counts in full",
        ),
        pytest.param(
            [dose(ago(h=18), "2"), dose(ago(h=12), "1.5", outcome="partial")],
            "3.5",
            False,
            id="a partial dose counts as the amount taken",
        ),
        pytest.param(
            [dose(ago(h=18), "3"), dose(ago(h=12), "4", drug="diazepam")],
            "3",
            False,
            id="another benzodiazepine is not in the clonazepam total",
        ),
    ],
)
def test_daily_limit(administrations: list[dict[str, Any]], total: str, fires: bool) -> None:
    ctx = context(administrations=administrations)
    assert ctx.total_24h == Decimal(total)
    assert (codes(holds.daily_limit, administrations=administrations) == ["daily-limit"]) is fires


def test_a_dose_halved_below_the_smallest_strength_holds_with_daily_limit() -> None:
    """Section 7: "if that is below 0.125 mg, hold with daily-limit" (a unit's protocol
    whose standard dose is the smallest strength, and a patient with mild liver disease)."""
    protocol = protocol_with(dosing__standard_mg="0.125")
    changes = {"patient": {"conditions": ["mild-liver-disease"]}}
    assert codes(holds.daily_limit, protocol=protocol, **changes) == ["daily-limit"]
    answer = decide(protocol=protocol, **changes)
    assert answer.action == "hold"
    assert answer.dose_mg is None
    assert "daily-limit" in answer.codes
    assert "dose-reduced" not in answer.codes
    # the same unit's protocol without the halving gives its standard dose
    assert decide(protocol=protocol).dose_mg == Decimal("0.125")


@pytest.mark.parametrize(
    ("assessments", "expected"),
    [
        pytest.param([cows(ago(h=4), 15)], [], id="COWS exactly 4 h old: recent"),
        pytest.param([cows(ago(h=4, m=1), 15)], ["assessment-stale"], id="COWS 4 h 1 min old"),
        pytest.param(
            [cows(ago(h=9), 15), cows(ago(h=1), 15)], [], id="an old and a recent COWS: recent"
        ),
        pytest.param([], ["no-assessment"], id="no COWS at all"),
        pytest.param([sows(ago(m=10), anxious=3)], ["no-assessment"], id="a SOWS but no COWS"),
        pytest.param(
            [cows(after(m=10), 15)], ["no-assessment"], id="a COWS after the decision time only"
        ),
    ],
)
def test_assessment_freshness(assessments: list[dict[str, Any]], expected: list[str]) -> None:
    found = codes(holds.no_assessment, assessments=assessments) + codes(
        holds.assessment_stale, assessments=assessments
    )
    assert found == expected


@pytest.mark.parametrize(
    ("sets", "stale"),
    [
        pytest.param([vitals(ago(h=4))], False, id="exactly 4 h old: recent"),
        pytest.param([vitals(ago(h=4, m=1))], True, id="4 h 1 min old: stale"),
        pytest.param([], True, id="none recorded"),
        pytest.param(
            [vitals(ago(h=1)), vitals(ago(m=10), temperature_c=None)],
            True,
            id="latest set incomplete (an older complete set does not help)",
        ),
        pytest.param(
            [vitals(ago(h=1), temperature_c=None), vitals(ago(m=10))],
            False,
            id="latest set complete",
        ),
        pytest.param([vitals(ago(m=10), consciousness=None)], True, id="consciousness missing"),
        pytest.param([vitals(ago(m=10), oxygen=None)], True, id="oxygen missing"),
    ],
)
def test_vitals_stale(sets: list[dict[str, Any]], stale: bool) -> None:
    assert (codes(holds.vitals_stale, vitals=sets) == ["vitals-stale"]) is stale


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"sedation": [poss(ago(m=10), "3")]}, id="oversedation"),
        pytest.param({"administrations": [dose(ago(h=5, m=59))]}, id="min-interval"),
        pytest.param(
            {"administrations": [dose(ago(h=23), "2"), dose(ago(h=12), "2")]}, id="daily-limit"
        ),
        pytest.param({"assessments": []}, id="no-assessment"),
        pytest.param({"assessments": [cows(ago(h=5), 15)]}, id="assessment-stale"),
        pytest.param({"vitals": [vitals(ago(h=5))]}, id="vitals-stale"),
        pytest.param({"vitals": [vitals(ago(m=10), respiratory_rate=25)]}, id="news2-urgent"),
    ],
)
def test_every_hold_stops_a_dose(changes: dict[str, Any]) -> None:
    answer = decide(**changes)
    assert answer.action == "hold"
    assert answer.dose_mg is None
