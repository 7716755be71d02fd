"""Missing or unknown data is said, never decided on in silence (clinical spec section 8)."""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import missing

from .support import ago, codes, decide, poss, rass, vitals

UNKNOWN_ALCOHOL = {"last_drink_at": None, "breath_alcohol_mg_l": None}


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        pytest.param({"sedation": []}, True, id="no sedation score ever"),
        pytest.param({"sedation": [poss(ago(h=4, m=1), "1")]}, True, id="POSS 4 h 1 min ago"),
        pytest.param({"sedation": [poss(ago(h=4), "1")]}, False, id="POSS exactly 4 h ago"),
        pytest.param({"sedation": [rass(ago(h=1), "0")]}, False, id="RASS 1 h ago"),
        pytest.param(
            {"sedation": [], "vitals": [vitals(ago(m=10), consciousness="alert")]},
            True,
            id="ACVPU alert does not stand in",
        ),
    ],
)
def test_sedation_stale(changes: dict[str, Any], fires: bool) -> None:
    assert (codes(missing.sedation_stale, **changes) == ["sedation-stale"]) is fires


def test_a_poss_4_four_hours_and_a_minute_ago_holds_and_is_no_emergency() -> None:
    answer = decide(sedation=[poss(ago(h=4, m=1), "4")])
    assert answer.action == "hold"
    assert "sedation-stale" in answer.codes and "overdose-suspected" not in answer.codes


@pytest.mark.parametrize(
    ("alcohol", "fires"),
    [
        pytest.param(UNKNOWN_ALCOHOL, True, id="nothing recorded"),
        pytest.param({**UNKNOWN_ALCOHOL, "none_reported": False}, True, id="none_reported false"),
        pytest.param({**UNKNOWN_ALCOHOL, "none_reported": True}, False, id="none reported"),
        pytest.param({**UNKNOWN_ALCOHOL, "breath_alcohol_mg_l": 0}, False, id="breath test 0"),
        pytest.param({**UNKNOWN_ALCOHOL, "last_drink_at": ago(d=3)}, False, id="drink 3 days ago"),
    ],
)
def test_alcohol_unknown(alcohol: dict[str, Any], fires: bool) -> None:
    assert (codes(missing.alcohol_unknown, alcohol=alcohol) == ["alcohol-unknown"]) is fires


def test_alcohol_unknown_holds_the_dose() -> None:
    answer = decide(alcohol=UNKNOWN_ALCOHOL)
    assert answer.action == "hold" and "alcohol-unknown" in answer.codes


def test_no_patient_details_holds_the_dose() -> None:
    answer = decide(patient={"age_years": None})
    assert answer.action == "hold"
    assert "patient-details-missing" in answer.codes


@pytest.mark.parametrize(
    ("patient", "fires"),
    [
        pytest.param({"sex": "female", "age_years": 34, "pregnant": None}, True, id="female 34"),
        pytest.param({"sex": "female", "age_years": 12, "pregnant": None}, True, id="female 12"),
        pytest.param({"sex": "female", "age_years": 55, "pregnant": None}, True, id="female 55"),
        pytest.param({"sex": "female", "age_years": 56, "pregnant": None}, False, id="female 56"),
        pytest.param({"sex": "female", "age_years": 34, "pregnant": False}, False, id="recorded"),
        pytest.param({"sex": "male", "age_years": 34, "pregnant": None}, False, id="male 34"),
        pytest.param(
            {"sex": "unknown", "age_years": 34, "pregnant": None}, False, id="sex unknown"
        ),
    ],
)
def test_pregnancy_unknown(patient: dict[str, Any], fires: bool) -> None:
    assert (codes(missing.pregnancy_unknown, patient=patient) == ["pregnancy-unknown"]) is fires


def test_pregnancy_unknown_escalates() -> None:
    answer = decide(patient={"pregnant": None})
    assert answer.action == "escalate" and "pregnancy-unknown" in answer.codes
