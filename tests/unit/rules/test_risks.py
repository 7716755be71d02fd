"""Respiratory and other risks (clinical spec section 8)."""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import contraindications, risks

from .support import ago, codes, decide, med, poss, vitals

METHADONE = med("methadone", "opioid")


def test_hypercapnic_respiratory_failure_contraindicates() -> None:
    answer = decide(patient={"conditions": ["hypercapnic-respiratory-failure"]})
    assert answer.action == "contraindicated"
    assert "respiratory-insufficiency" in answer.codes
    assert codes(
        contraindications.respiratory, patient={"conditions": ["hypercapnic-respiratory-failure"]}
    ) == ["respiratory-insufficiency"]


def test_copd_escalates() -> None:
    answer = decide(patient={"conditions": ["copd"]})
    assert answer.action == "escalate" and "respiratory-risk" in answer.codes


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        pytest.param(
            {"medications": [METHADONE], "vitals": [vitals(ago(m=10), respiratory_rate=11)]},
            True,
            id="RR 11 with methadone",
        ),
        pytest.param(
            {"medications": [METHADONE], "vitals": [vitals(ago(m=10), respiratory_rate=12)]},
            False,
            id="RR 12 with methadone",
        ),
        pytest.param(
            {"vitals": [vitals(ago(m=10), respiratory_rate=11)]}, False, id="RR 11 without opioid"
        ),
        pytest.param(
            {
                "medications": [med("methadone", "other")],
                "vitals": [vitals(ago(m=10), respiratory_rate=10)],
            },
            True,
            id="RR 10 with methadone declared other",
        ),
        pytest.param(
            {
                "medications": [METHADONE],
                "vitals": [vitals(ago(m=10), respiratory_rate=10)],
                "sedation": [poss(ago(m=10), "3")],
            },
            False,
            id="RR 10 with POSS 3 is an emergency instead",
        ),
    ],
)
def test_respiratory_depression_risk(changes: dict[str, Any], fires: bool) -> None:
    found = codes(risks.respiratory_depression, **changes)
    assert (found == ["respiratory-depression-risk"]) is fires


def test_slow_breathing_with_an_acknowledged_opioid_still_holds() -> None:
    answer = decide(
        medications=[METHADONE],
        vitals=[vitals(ago(m=10), respiratory_rate=10)],
        acknowledgements=[
            {"finding": "opioid-benzodiazepine", "by": "physician", "at": ago(h=1), "reason": "ok"}
        ],
    )
    assert answer.action == "hold" and "respiratory-depression-risk" in answer.codes


def test_epilepsy_warns_and_changes_the_checklist() -> None:
    calm = decide(patient={"conditions": ["epilepsy"]})
    assert calm.action == "give"
    finding = calm.finding("seizure-risk")
    assert finding is not None and finding.severity == "warning"
    emergency = decide(patient={"conditions": ["epilepsy"]}, sedation=[poss(ago(m=5), "4")])
    assert emergency.action == "emergency"
    assert any("Do NOT give flumazenil" in line for line in emergency.checklist)
    assert not any(line.startswith("Flumazenil only") for line in emergency.checklist)
    usual = decide(sedation=[poss(ago(m=5), "4")])
    assert any(line.startswith("Flumazenil only") for line in usual.checklist)


def test_alcohol_use_disorder_warns() -> None:
    answer = decide(patient={"history": ["alcohol-use-disorder"]})
    assert answer.action == "give"
    finding = answer.finding("alcohol-use-disorder")
    assert finding is not None and "CIWA-Ar" in finding.message
