"""Medicines: the class is checked, not trusted; records owm cannot map escalate (section 8)."""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import classification

from .support import codes, decide, med


@pytest.mark.parametrize(
    ("medicine", "action", "present", "absent"),
    [
        pytest.param(
            med("methadone", "other"),
            "escalate",
            ["opioid-benzodiazepine", "medicine-class-mismatch"],
            ["unknown-medicine"],
            id="methadone declared other",
        ),
        pytest.param(
            {**med("Dolophine", "other"), "rxnorm": "6813"},
            "escalate",
            ["opioid-benzodiazepine", "medicine-class-mismatch"],
            [],
            id="RxNorm 6813 declared other",
        ),
        pytest.param(
            med("methadone", "opioid"),
            "escalate",
            ["opioid-benzodiazepine"],
            ["medicine-class-mismatch"],
            id="methadone declared opioid",
        ),
        pytest.param(
            med("Lyrica", "other"),
            "escalate",
            ["cns-depressant", "medicine-class-mismatch"],
            [],
            id="a brand of pregabalin declared other",
        ),
        pytest.param(
            med("zolvenaxil", "other"),
            "escalate",
            ["unknown-medicine"],
            ["medicine-class-mismatch"],
            id="unknown medicine declared other",
        ),
        pytest.param(
            {**med("zolvenaxil", "other"), "classified_by": "pharmacist"},
            "give",
            [],
            ["unknown-medicine"],
            id="unknown medicine classified by a pharmacist",
        ),
        pytest.param(
            med("zolvenaxil", "opioid"),
            "escalate",
            ["opioid-benzodiazepine"],
            ["unknown-medicine"],
            id="unknown medicine declared opioid",
        ),
        pytest.param(
            med("loperamide", "other"), "give", [], ["unknown-medicine"], id="a known medicine"
        ),
    ],
)
def test_medicine_classes(
    medicine: dict[str, Any], action: str, present: list[str], absent: list[str]
) -> None:
    answer = decide(medications=[medicine])
    assert answer.action == action
    assert set(present) <= set(answer.codes)
    assert not set(absent) & set(answer.codes)


def test_the_mismatch_names_both_classes() -> None:
    answer = decide(medications=[med("methadone", "other")])
    finding = answer.finding("medicine-class-mismatch")
    assert finding is not None
    assert "declared other" in finding.message and "opioid" in finding.message
    assert finding.values["medicines"][0]["used"] == ["opioid"]


def test_unmapped_records_escalate_and_are_named() -> None:
    unmapped = [
        {
            "kind": "condition",
            "text": "Condition/7: 'Obstructive sleep apnea'",
            "code": "78275009",
            "system": "http://snomed.info/sct",
        },
        {"kind": "allergy", "text": "AllergyIntolerance/2: 'Latex'"},
    ]
    assert codes(classification.unmapped_record, unmapped=unmapped) == ["unmapped-record"]
    answer = decide(unmapped=unmapped)
    assert answer.action == "escalate"
    finding = answer.finding("unmapped-record")
    assert finding is not None
    assert "Obstructive sleep apnea" in finding.message and "Latex" in finding.message
