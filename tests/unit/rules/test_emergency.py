"""Emergency (clinical spec section 3 step 1): overdose suspected, NEWS2 emergency.

Each row is the base patient (moderate withdrawal, POSS 1, normal observations)
with the sedation and the latest vital signs changed; the rows come in pairs
either side of each threshold.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import emergency, holds

from .support import after, ago, codes, decide, poss, rass, vitals


def sedated(scale: str | None, level: str = "", *, minutes_ago: float = 10, **values: Any) -> Any:
    """Sedation (or none) and one set of vital signs, both recorded `minutes_ago`."""
    sedation = [] if scale is None else [{"at": ago(m=minutes_ago), "scale": scale, "level": level}]
    return {"sedation": sedation, "vitals": [vitals(ago(m=minutes_ago), **values)]}


@pytest.mark.parametrize(
    ("changes", "suspected"),
    [
        # deep sedation alone
        pytest.param(sedated("POSS", "4"), True, id="POSS 4"),
        pytest.param(sedated("POSS", "3"), False, id="POSS 3, normal observations"),
        pytest.param(sedated("RASS", "-4"), True, id="RASS -4"),
        pytest.param(sedated("RASS", "-5"), True, id="RASS -5"),
        pytest.param(sedated("RASS", "-3"), False, id="RASS -3, normal observations"),
        # consciousness (from the vital signs)
        pytest.param(sedated(None, consciousness="pain"), True, id="responds to pain"),
        pytest.param(sedated(None, consciousness="unresponsive"), True, id="unresponsive"),
        pytest.param(sedated(None, consciousness="voice"), False, id="responds to voice"),
        pytest.param(sedated(None, consciousness="confusion"), False, id="new confusion"),
        # respiration alone
        pytest.param(sedated(None, respiratory_rate=8), True, id="RR 8"),
        pytest.param(sedated(None, respiratory_rate=9), False, id="RR 9"),
        # sedation POSS 3 / RASS <= -2 with a failing vital sign
        pytest.param(sedated("POSS", "3", respiratory_rate=11), True, id="POSS 3 + RR 11"),
        pytest.param(sedated("POSS", "3", respiratory_rate=12), False, id="POSS 3 + RR 12"),
        pytest.param(sedated("POSS", "3", spo2=91), True, id="POSS 3 + SpO2 91"),
        pytest.param(sedated("POSS", "3", spo2=92), False, id="POSS 3 + SpO2 92"),
        pytest.param(sedated("POSS", "3", systolic_bp=90), True, id="POSS 3 + systolic 90"),
        pytest.param(sedated("POSS", "3", systolic_bp=91), False, id="POSS 3 + systolic 91"),
        pytest.param(sedated("POSS", "3", pulse=50), True, id="POSS 3 + pulse 50"),
        pytest.param(sedated("POSS", "3", pulse=51), False, id="POSS 3 + pulse 51"),
        pytest.param(sedated("RASS", "-2", respiratory_rate=11), True, id="RASS -2 + RR 11"),
        pytest.param(sedated("RASS", "-3", pulse=50), True, id="RASS -3 + pulse 50"),
        pytest.param(sedated("RASS", "-1", respiratory_rate=11), False, id="RASS -1 + RR 11"),
        pytest.param(sedated("POSS", "2", respiratory_rate=11), False, id="POSS 2 + RR 11"),
        pytest.param(sedated(None, respiratory_rate=11), False, id="RR 11, no sedation score"),
        # freshness: the latest recent values only (4 h, the edge included)
        pytest.param(sedated("POSS", "4", minutes_ago=240), True, id="POSS 4 exactly 4 h ago"),
        pytest.param(sedated("POSS", "4", minutes_ago=241), False, id="POSS 4 4 h 1 min ago"),
        pytest.param(
            sedated(None, respiratory_rate=8, minutes_ago=241), False, id="RR 8 4 h 1 min ago"
        ),
        pytest.param(
            {"sedation": [poss(ago(h=2), "4"), poss(ago(m=10), "1")]},
            False,
            id="POSS 4 then POSS 1: the latest counts",
        ),
        pytest.param(
            {"add_sedation": [poss(after(m=1), "4")]}, False, id="POSS 4 after the decision time"
        ),
        # an incomplete set still feeds the emergency rule (section 7)
        pytest.param(
            sedated(None, respiratory_rate=8, temperature_c=None, oxygen=None),
            True,
            id="RR 8 in an incomplete set",
        ),
        pytest.param(
            {
                "sedation": [rass(ago(m=10), "-2")],
                "vitals": [{"at": ago(m=10), "spo2": 90}],
            },
            True,
            id="RASS -2 + SpO2 90, only SpO2 measured",
        ),
    ],
)
def test_overdose_suspected(changes: dict[str, Any], suspected: bool) -> None:
    assert ("overdose-suspected" in codes(emergency.overdose, **changes)) is suspected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({}, [], id="NEWS2 0"),
        pytest.param({"respiratory_rate": 21, "pulse": 111}, [], id="NEWS2 4"),
        pytest.param(
            {"respiratory_rate": 21, "pulse": 111, "temperature_c": "38.1"},
            ["news2-urgent"],
            id="NEWS2 5",
        ),
        pytest.param(
            {"respiratory_rate": 21, "pulse": 111, "temperature_c": "38.1", "spo2": 94},
            ["news2-urgent"],
            id="NEWS2 6",
        ),
        pytest.param(
            {"respiratory_rate": 21, "pulse": 111, "systolic_bp": 100, "spo2": 94},
            ["news2-emergency"],
            id="NEWS2 7",
        ),
        pytest.param({"respiratory_rate": 25}, ["news2-urgent"], id="single 3: RR 25"),
        pytest.param({"respiratory_rate": 24}, [], id="RR 24 scores 2"),
        pytest.param({"consciousness": "voice"}, ["news2-urgent"], id="single 3: voice"),
        pytest.param({"spo2": 91}, ["news2-urgent"], id="single 3: SpO2 91 on scale 1"),
        pytest.param(
            {"respiratory_rate": 21, "pulse": 111, "systolic_bp": 100, "temperature_c": None},
            [],
            id="incomplete set: no NEWS2",
        ),
    ],
)
def test_news2_response(values: dict[str, Any], expected: list[str]) -> None:
    changes = {"vitals": [vitals(ago(m=10), **values)]}
    found = codes(emergency.news2, **changes) + codes(holds.news2_urgent, **changes)
    assert found == expected


@pytest.mark.parametrize(
    ("minutes_ago", "expected"),
    [
        pytest.param(240, ["news2-emergency"], id="exactly 4 h old"),
        pytest.param(241, [], id="4 h 1 min old"),
    ],
)
def test_news2_emergency_uses_the_latest_recent_set(minutes_ago: int, expected: list[str]) -> None:
    seven = {"respiratory_rate": 21, "pulse": 111, "systolic_bp": 100, "spo2": 94}
    assert codes(emergency.news2, vitals=[vitals(ago(m=minutes_ago), **seven)]) == expected


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        pytest.param([], ["news2-urgent"], id="scale 1: SpO2 88 scores 3"),
        pytest.param(
            ["hypercapnic-respiratory-failure"], [], id="scale 2: SpO2 88 on air scores 0"
        ),
    ],
)
def test_hypercapnic_patients_are_scored_on_spo2_scale_2(
    conditions: list[str], expected: list[str]
) -> None:
    changes = {"patient": {"conditions": conditions}, "vitals": [vitals(ago(m=10), spo2=88)]}
    assert codes(holds.news2_urgent, **changes) == expected


@pytest.mark.parametrize(
    ("changes", "action", "code"),
    [
        pytest.param(sedated("POSS", "4"), "emergency", "overdose-suspected", id="POSS 4"),
        pytest.param(
            sedated("POSS", "3", respiratory_rate=11),
            "emergency",
            "overdose-suspected",
            id="+RR 11",
        ),
        pytest.param(
            sedated("POSS", "3", respiratory_rate=12), "hold", "oversedation", id="+RR 12"
        ),
        pytest.param(
            sedated(None, respiratory_rate=21, pulse=111, systolic_bp=100, spo2=94),
            "emergency",
            "news2-emergency",
            id="NEWS2 7",
        ),
    ],
)
def test_emergency_action_carries_the_overdose_checklist(
    changes: dict[str, Any], action: str, code: str
) -> None:
    answer = decide(**changes)
    assert answer.action == action
    assert code in answer.codes
    assert bool(answer.checklist) is (action == "emergency")
    assert answer.dose_mg is None


def test_the_checklist_says_stop_airway_naloxone_and_flumazenil_with_care() -> None:
    checklist = " ".join(decide(**sedated("POSS", "4")).checklist).lower()
    for words in ("stop clonazepam", "airway", "rapid response", "naloxone", "flumazenil"):
        assert words in checklist
