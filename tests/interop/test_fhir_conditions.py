"""Conditions coded only in SNOMED CT or ICD-10: read as owm's codes when the mapping knows
them, listed as not read (never dropped silently) when it does not.

The mapping is data (`owm/terminology/data/conditions.json`); every row is tried here in
a Bundle, and the decisions that depend on it are checked with the core.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir_cases import vignette_state

from owm.clinical import default_protocol, evaluate, parse_state
from owm.fhir import BundleError, export_state, import_bundle
from owm.fhir.codes import LOINC, SNOMED
from owm.terminology import TERMINOLOGY
from owm.terminology.conditions import SYSTEMS, condition_codes, targets

PROTOCOL = default_protocol()
ICD10 = SYSTEMS["icd-10"]
ICD10CM = SYSTEMS["icd-10-cm"]
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"


def base_bundle() -> dict[str, Any]:
    state = parse_state(vignette_state("01-base-give"), PROTOCOL)
    bundle: dict[str, Any] = json.loads(json.dumps(export_state(state, terminology=TERMINOLOGY)))
    return bundle


def with_resource(resource: dict[str, Any]) -> dict[str, Any]:
    bundle = base_bundle()
    patient = bundle["entry"][0]["fullUrl"]
    resource = {**resource}
    resource.setdefault("subject" if resource["resourceType"] == "Condition" else "patient", {})
    key = "subject" if resource["resourceType"] == "Condition" else "patient"
    resource[key] = {"reference": patient}
    bundle["entry"].append({"fullUrl": f"urn:uuid:{len(bundle['entry'])}-x", "resource": resource})
    return bundle


def condition(
    system: str,
    code: str,
    display: str | None = None,
    status: str = "active",
    text: str | None = None,
) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    concept: dict[str, Any] = {"coding": [coding]}
    if text:
        concept["text"] = text
    return {
        "resourceType": "Condition",
        "id": f"c-{code.replace('.', '')}",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": status}]},
        "code": concept,
    }


ROWS = condition_codes().codes


def without_pregnancy_status(bundle: dict[str, Any]) -> dict[str, Any]:
    """The Bundle without its pregnancy status Observation (LOINC 82810-3, not pregnant)."""
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if not any(
            c.get("system") == LOINC and c.get("code") == "82810-3"
            for c in e["resource"].get("code", {}).get("coding", [])
        )
    ]
    return bundle


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.system.rsplit('/', 1)[-1]}-{r.code}")
def test_every_mapped_code_is_read_as_its_owm_code(row: Any) -> None:
    bundle = with_resource(condition(row.system, row.code, row.display))
    result = import_bundle(without_pregnancy_status(bundle), PROTOCOL, terminology=TERMINOLOGY)
    patient = result.document["patient"]
    kind, _, code = row.owm.partition(":")
    if row.owm == "pregnant":
        assert patient["pregnant"] is True
    else:
        field = {"condition": "conditions", "history": "history", "allergy": "allergies"}[kind]
        assert code in patient.get(field, [])
    assert result.unmapped == ()


@pytest.mark.parametrize(
    ("system", "code", "target"),
    [
        (ICD10CM, "G4733", "condition:sleep-apnoea"),  # without the dot
        (ICD10CM, "g47.33", "condition:sleep-apnoea"),
        (ICD10CM, "F13.230", "history:benzodiazepine-misuse"),  # a descendant of F13.2
        (ICD10CM, "F10.21", "history:alcohol-use-disorder"),
        (ICD10CM, "K74.60", "condition:significant-liver-disease"),
        (ICD10CM, "H40.213", "condition:acute-narrow-angle-glaucoma"),
        (ICD10CM, "J44.1", "condition:copd"),
        (ICD10CM, "N18.4", "condition:renal-impairment"),
        (ICD10, "G40.9", "condition:epilepsy"),
    ],
)
def test_icd_codes_match_with_their_descendants(system: str, code: str, target: str) -> None:
    assert targets(system, code) == {target}


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (ICD10CM, "F10.90"),  # alcohol use, unspecified: not a disorder
        (ICD10CM, "F13.90"),
        (ICD10CM, "G47.32"),  # high altitude periodic breathing
        (ICD10CM, "G47.34"),  # hypoventilation, not apnoea
        (ICD10CM, "K76.0"),  # fatty liver: severity not known
        (ICD10CM, "H40.11"),  # open-angle glaucoma
        (ICD10, "H40.2"),  # WHO: angle-closure, acute or not
        (SNOMED, "73430006"),  # its meaning could not be verified
        (ICD10CM, "J96.01"),  # respiratory failure with hypoxia, not hypercapnia
        ("http://example.org/local-codes", "G47.33"),
    ],
)
def test_codes_that_are_not_verified_or_mean_something_else_are_not_mapped(
    system: str, code: str
) -> None:
    assert targets(system, code) == frozenset()


def test_a_contraindication_coded_only_in_snomed_ct_is_not_missed() -> None:
    bundle = with_resource(condition(SNOMED, "78275009", "Obstructive sleep apnea syndrome"))
    answer = evaluate(import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY).state, PROTOCOL)
    assert answer.action == "contraindicated"
    assert "respiratory-insufficiency" in answer.codes


def test_a_sedative_use_disorder_in_icd_10_cm_asks_for_a_physician() -> None:
    bundle = with_resource(condition(ICD10CM, "F13.20", "Sedative dependence, uncomplicated"))
    answer = evaluate(import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY).state, PROTOCOL)
    assert answer.action == "escalate"
    assert "benzodiazepine-misuse" in answer.codes


def test_an_active_condition_owm_cannot_map_is_listed_not_dropped() -> None:
    bundle = with_resource(
        condition(SNOMED, "59621000", "Essential hypertension", text="High blood pressure")
    )
    result = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    (line,) = result.unmapped
    assert "Condition/c-59621000" in line
    assert "'High blood pressure'" in line and "SNOMED CT 59621000" in line
    assert any(line in ignored for ignored in result.ignored)


def test_an_inactive_condition_is_skipped_and_not_listed_as_unmapped() -> None:
    bundle = with_resource(condition(SNOMED, "59621000", status="resolved"))
    result = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert result.unmapped == ()
    assert any("not clinically active" in line for line in result.ignored)
    mapped = with_resource(condition(ICD10CM, "G47.33", status="resolved"))
    assert (
        "conditions"
        not in import_bundle(mapped, PROTOCOL, terminology=TERMINOLOGY).document["patient"]
    )


def test_an_allergy_owm_cannot_map_is_listed() -> None:
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "code": {
            "coding": [{"system": SNOMED, "code": "91936005", "display": "Penicillin allergy"}]
        },
    }
    result = import_bundle(with_resource(allergy), PROTOCOL, terminology=TERMINOLOGY)
    (line,) = result.unmapped
    assert line.startswith("AllergyIntolerance/a1 (entry ")
    assert "'Penicillin allergy'" in line


def test_a_pregnancy_condition_makes_the_patient_pregnant_unless_an_observation_says_not() -> None:
    bundle = with_resource(condition(ICD10CM, "Z33.1", "Pregnant state, incidental"))
    # The base vignette records "not pregnant" (LOINC 82810-3): the Bundle contradicts itself.
    with pytest.raises(BundleError, match="says not pregnant"):
        import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    result = import_bundle(without_pregnancy_status(bundle), PROTOCOL, terminology=TERMINOLOGY)
    assert result.document["patient"]["pregnant"] is True
    assert "pregnancy" in evaluate(result.state, PROTOCOL).codes


def test_the_data_file_names_a_source_for_every_code() -> None:
    codes = condition_codes()
    assert len(codes.codes) >= 40
    assert {row.owm for row in codes.codes} >= {
        "condition:sleep-apnoea",
        "condition:significant-liver-disease",
        "condition:acute-narrow-angle-glaucoma",
        "condition:copd",
        "condition:hypercapnic-respiratory-failure",
        "condition:epilepsy",
        "condition:renal-impairment",
        "history:benzodiazepine-misuse",
        "history:alcohol-use-disorder",
        "pregnant",
    }
    seen = set()
    for row in codes.codes:
        key = (row.system, row.code.replace(".", ""), row.owm)
        assert key not in seen, key
        seen.add(key)
        assert row.display.strip()
