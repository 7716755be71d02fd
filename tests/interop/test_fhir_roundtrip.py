"""Export to FHIR R4 and import back: the same state, the same recommendation.

Every vignette's state (read from tests/data/vignettes, as the vignette test
does) goes out as a Bundle, is validated by fhir.resources' R4B models after a
trip through JSON text, comes back in, and must give exactly the same
`owm-recommendation/1` document.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir_cases import full_state, vignette_states

from owm.clinical import default_protocol, evaluate, parse_state
from owm.fhir import export_state, import_bundle
from owm.fhir.codes import LOINC, RXNORM, SNOMED, SYSTEM
from owm.terminology import TERMINOLOGY

PROTOCOL = default_protocol()


def _through_json(bundle: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(bundle))
    return document


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _codes(concept: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in concept.get("coding", []) if c.get("system") == system]


@pytest.mark.parametrize(("name", "document"), vignette_states(), ids=lambda v: str(v)[:30])
def test_every_vignette_comes_back_with_the_same_recommendation(
    name: str, document: dict[str, Any]
) -> None:
    state = parse_state(document, PROTOCOL)
    recommendation = evaluate(state, PROTOCOL)
    bundle = _through_json(
        export_state(state, terminology=TERMINOLOGY, recommendation=recommendation)
    )
    Bundle.model_validate(bundle)  # valid FHIR R4 (R4B models) after a trip through JSON
    imported = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert imported.ignored == ()
    assert imported.state == state
    assert evaluate(imported.state, PROTOCOL).to_json() == recommendation.to_json()


def test_a_state_using_every_field_comes_back_equal() -> None:
    state = parse_state(full_state(), PROTOCOL)
    recommendation = evaluate(state, PROTOCOL)
    bundle = _through_json(
        export_state(state, terminology=TERMINOLOGY, recommendation=recommendation)
    )
    Bundle.model_validate(bundle)
    imported = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert imported.state == state
    assert evaluate(imported.state, PROTOCOL).to_json() == recommendation.to_json()
    # and the imported document is itself a valid owm-state/1 giving the same answer
    again = parse_state(json.loads(json.dumps(imported.document)), PROTOCOL)
    assert again == state


def test_the_same_state_gives_the_same_bundle() -> None:
    state = parse_state(full_state(), PROTOCOL)
    assert export_state(state, terminology=TERMINOLOGY) == export_state(
        state, terminology=TERMINOLOGY
    )
    assert export_state(state, terminology=TERMINOLOGY, seed="episode-1") != export_state(
        state, terminology=TERMINOLOGY, seed="episode-2"
    )


def test_instruments_use_owm_codes_and_never_loinc() -> None:
    bundle = export_state(parse_state(full_state(), PROTOCOL), terminology=TERMINOLOGY)
    instruments = [
        o
        for o in _resources(bundle, "Observation")
        if set(_codes(o["code"], SYSTEM.observation)) & {"COWS", "SOWS", "OOWS"}
    ]
    assert len(instruments) == 4
    for observation in instruments:
        assert _codes(observation["code"], LOINC) == []
        for component in observation["component"]:
            assert component["code"]["coding"][0]["system"] == SYSTEM.instrument_item
            assert _codes(component["code"], LOINC) == []
    cows = next(o for o in instruments if _codes(o["code"], SYSTEM.observation) == ["COWS"])
    assert cows["valueInteger"] == 15
    assert [c["code"]["coding"][0]["code"] for c in cows["component"]][:2] == [
        "COWS.resting_pulse",
        "COWS.sweating",
    ]


def test_vital_signs_carry_their_loinc_codes() -> None:
    bundle = export_state(parse_state(full_state(), PROTOCOL), terminology=TERMINOLOGY)
    loinc = {code for o in _resources(bundle, "Observation") for code in _codes(o["code"], LOINC)}
    assert {"9279-1", "59408-5", "8480-6", "8867-4", "8310-5", "80288-4"} <= loinc
    assert {"29463-7", "82810-3"} <= loinc  # weight, pregnancy status


def test_administrations_carry_rxnorm_route_and_outcome() -> None:
    bundle = export_state(parse_state(full_state(), PROTOCOL), terminology=TERMINOLOGY)
    by_time = sorted(
        _resources(bundle, "MedicationAdministration"), key=lambda r: r["effectiveDateTime"]
    )
    assert [r["medicationCodeableConcept"]["text"] for r in by_time] == [
        "diazepam",
        *["clonazepam"] * 4,
        "loperamide",
    ]
    assert _codes(by_time[0]["medicationCodeableConcept"], RXNORM) == ["3322"]
    assert _codes(by_time[0]["dosage"]["route"], SNOMED) == ["37161004"]  # rectal
    first, partial, vomited, refused = by_time[1:5]
    assert _codes(first["medicationCodeableConcept"], RXNORM) == ["2598"]
    assert _codes(first["dosage"]["route"], SNOMED) == ["26643006"]
    assert first["dosage"]["dose"] == {
        "value": 0.5,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert first["status"] == "completed" and "statusReason" not in first
    assert partial["status"] == "completed"
    assert _codes(partial["statusReason"][0], SYSTEM.outcome) == ["partial"]
    assert _codes(vomited["statusReason"][0], SYSTEM.outcome) == ["vomited"]
    assert refused["status"] == "not-done"
    assert _codes(refused["statusReason"][0], SYSTEM.outcome) == ["refused"]
    charted = [
        p
        for p in _resources(bundle, "Provenance")
        if _codes(p["activity"], SYSTEM.provenance) == ["charted"]
    ]
    assert [p["recorded"] for p in charted] == ["2026-11-23T10:20:00Z"]


def test_findings_become_detected_issues_and_acknowledgements_mitigations() -> None:
    state = parse_state(full_state(), PROTOCOL)
    recommendation = evaluate(state, PROTOCOL)
    bundle = export_state(state, terminology=TERMINOLOGY, recommendation=recommendation)
    issues = _resources(bundle, "DetectedIssue")
    acknowledged = [i for i in issues if "mitigation" in i]
    findings = [i for i in issues if "mitigation" not in i]
    assert [_codes(i["code"], SYSTEM.finding) for i in acknowledged] == [
        ["opioid-benzodiazepine"],
        ["older-adult"],
    ]
    assert [_codes(i["code"], SYSTEM.finding)[0] for i in findings] == list(recommendation.codes)
    severities = {i["code"]["coding"][0]["code"]: i["severity"] for i in findings}
    assert severities["vitals-stale"] == "high"  # hold findings are critical
    assert export_state(state, terminology=TERMINOLOGY)["entry"] != bundle["entry"]
    assert not [
        i
        for i in _resources(export_state(state, terminology=TERMINOLOGY), "DetectedIssue")
        if "mitigation" not in i
    ]


def test_medicines_keep_their_class_and_rxnorm() -> None:
    bundle = export_state(parse_state(full_state(), PROTOCOL), terminology=TERMINOLOGY)
    statements = _resources(bundle, "MedicationStatement")
    assert sorted(
        (_codes(s["category"], SYSTEM.medication_class), s["status"]) for s in statements
    ) == [
        (["alpha2-agonist"], "active"),
        (["barbiturate"], "stopped"),
        (["cyp3a-inducer"], "stopped"),
        (["opioid"], "active"),
        (["other"], "active"),
    ]
    methadone = next(s for s in statements if "methadone" in s["medicationCodeableConcept"]["text"])
    assert _codes(methadone["medicationCodeableConcept"], RXNORM) == ["6813"]


def test_the_bundle_has_one_patient_one_encounter_and_a_provenance() -> None:
    bundle = export_state(parse_state(full_state(), PROTOCOL), terminology=TERMINOLOGY)
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2026-11-25T14:00:00Z"
    assert len(_resources(bundle, "Patient")) == 1
    (encounter,) = _resources(bundle, "Encounter")
    assert encounter["class"]["code"] == "NONAC"  # residential
    patient_url = bundle["entry"][0]["fullUrl"]
    for entry in bundle["entry"][1:]:
        resource = entry["resource"]
        subject = resource.get("subject") or resource.get("patient")
        if subject is not None:
            assert subject == {"reference": patient_url}
    exports = [
        p
        for p in _resources(bundle, "Provenance")
        if _codes(p["activity"], SYSTEM.provenance) == ["export"]
    ]
    assert len(exports) == 1
    assert {e["fullUrl"] for e in bundle["entry"]} >= {
        t["reference"] for p in _resources(bundle, "Provenance") for t in p["target"]
    }
