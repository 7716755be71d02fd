"""Reading Bundles: bad ones are refused naming resource, element and what is allowed;
Bundles from other systems are read where their meaning is clear."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from fhir_cases import vignette_state

from owm.clinical import default_protocol, evaluate, parse_state
from owm.fhir import BundleError, export_state, import_bundle
from owm.fhir.codes import EXT, LOINC, RXNORM, SNOMED, SYSTEM
from owm.terminology import TERMINOLOGY

PROTOCOL = default_protocol()


def _base_bundle() -> dict[str, Any]:
    state = parse_state(vignette_state("01-base-give"), PROTOCOL)
    bundle: dict[str, Any] = json.loads(json.dumps(export_state(state, terminology=TERMINOLOGY)))
    return bundle


def _find(bundle: dict[str, Any], kind: str, system: str, code: str) -> dict[str, Any]:
    for entry in bundle["entry"]:
        resource: dict[str, Any] = entry["resource"]
        if resource["resourceType"] == kind and any(
            c.get("system") == system and c.get("code") == code
            for c in resource.get("code", {}).get("coding", [])
        ):
            return resource
    raise AssertionError(f"no {kind} {code}")


def _problems(bundle: Any) -> str:
    with pytest.raises(BundleError) as caught:
        import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert caught.value.problems
    return "\n".join(caught.value.problems)


def _set_cows_restlessness(bundle: dict[str, Any]) -> None:
    cows = _find(bundle, "Observation", SYSTEM.observation, "COWS")
    component = next(
        c for c in cows["component"] if c["code"]["coding"][0]["code"] == "COWS.restlessness"
    )
    component["valueInteger"] = 2
    cows["valueInteger"] = cows["valueInteger"] - 1


def _temperature_in_fahrenheit(bundle: dict[str, Any]) -> None:
    temperature = _find(bundle, "Observation", LOINC, "8310-5")
    temperature["valueQuantity"] = {
        "value": 99.0,
        "unit": "[degF]",
        "system": "http://unitsofmeasure.org",
        "code": "[degF]",
    }


def _dose_in_grams(bundle: dict[str, Any]) -> None:
    dose = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    )
    dose["dosage"]["dose"] = {
        "value": 0.0005,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }


def _second_patient(bundle: dict[str, Any]) -> None:
    bundle["entry"].append({"resource": {"resourceType": "Patient", "id": "other"}})


def _no_timestamp(bundle: dict[str, Any]) -> None:
    del bundle["timestamp"]


def _no_time_zone(bundle: dict[str, Any]) -> None:
    encounter = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"
    )
    del encounter["extension"]


def _date_without_time(bundle: dict[str, Any]) -> None:
    _find(bundle, "Observation", SYSTEM.observation, "COWS")["effectiveDateTime"] = "2026-11-25"


def _unknown_element(bundle: dict[str, Any]) -> None:
    _find(bundle, "Observation", SYSTEM.observation, "COWS")["score"] = 15


def _wrong_total(bundle: dict[str, Any]) -> None:
    _find(bundle, "Observation", SYSTEM.observation, "COWS")["valueInteger"] = 40


def _unknown_item(bundle: dict[str, Any]) -> None:
    cows = _find(bundle, "Observation", SYSTEM.observation, "COWS")
    cows["component"][0]["code"]["coding"][0]["code"] = "COWS.heart_rate"


def _flurazepam_given(bundle: dict[str, Any]) -> None:
    dose = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    )
    dose["medicationCodeableConcept"] = {
        "coding": [{"system": RXNORM, "code": "1298088"}],
        "text": "Flurazepam Hydrochloride 15 MG Oral Capsule",
    }


def _unknown_resource_type(bundle: dict[str, Any]) -> None:
    bundle["entry"].append({"resource": {"resourceType": "Spaceship"}})


def _acknowledgement_of_a_hold(bundle: dict[str, Any]) -> None:
    patient = bundle["entry"][0]["fullUrl"]
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "DetectedIssue",
                "status": "final",
                "code": {"coding": [{"system": SYSTEM.finding, "code": "min-interval"}]},
                "patient": {"reference": patient},
                "mitigation": [
                    {
                        "action": {
                            "coding": [{"system": SYSTEM.mitigation, "code": "acknowledged"}],
                            "text": "in a hurry",
                        },
                        "date": "2026-11-25T13:00:00Z",
                        "author": {"display": "physician"},
                    }
                ],
            }
        }
    )


BAD: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    (
        "COWS item value not on the form",
        _set_cows_restlessness,
        ["Observation/", "COWS.restlessness", "allowed: 0, 1, 3, 5"],
    ),
    ("temperature in Fahrenheit", _temperature_in_fahrenheit, ["Observation/", "[degF]", "Cel"]),
    ("dose in grams", _dose_in_grams, ["MedicationAdministration/", "dosage.dose", "mg"]),
    ("two patients", _second_patient, ["2 Patient", "exactly one Patient"]),
    ("no decision time", _no_timestamp, ["timestamp", "decision time"]),
    ("no ward time zone", _no_time_zone, ["ward-timezone", "IANA"]),
    ("a date without a time", _date_without_time, ["effectiveDateTime", "'2026-11-25'"]),
    ("an element FHIR does not have", _unknown_element, ["Observation/", "score"]),
    ("a total that is not the sum", _wrong_total, ["valueInteger", "total 40"]),
    ("an item COWS does not have", _unknown_item, ["COWS.heart_rate", "allowed", "resting_pulse"]),
    (
        "a benzodiazepine dose the state cannot name",
        _flurazepam_given,
        ["MedicationAdministration/", "flurazepam", "allowed: clonazepam"],
    ),
    ("an unknown resource type", _unknown_resource_type, ["Spaceship", "resourceType"]),
    (
        "an acknowledgement of a hold",
        _acknowledgement_of_a_hold,
        ["DetectedIssue", "min-interval", "cannot be acknowledged"],
    ),
]


@pytest.mark.parametrize(("case", "spoil", "mentions"), BAD, ids=[b[0] for b in BAD])
def test_bad_bundles_are_refused_naming_resource_element_and_allowed(
    case: str, spoil: Callable[[dict[str, Any]], None], mentions: list[str]
) -> None:
    bundle = _base_bundle()
    import_bundle(
        copy.deepcopy(bundle), PROTOCOL, terminology=TERMINOLOGY
    )  # fine before it is spoiled
    spoil(bundle)
    problems = _problems(bundle)
    for text in mentions:
        assert text in problems, (case, problems)


@pytest.mark.parametrize(
    ("document", "mention"),
    [
        ({"resourceType": "Patient"}, "allowed: 'Bundle'"),
        ([], "allowed: 'Bundle'"),
        ({"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "x"}]}, "resource"),
        ({"resourceType": "Bundle", "type": "collection"}, "exactly one Patient"),
    ],
)
def test_documents_that_are_not_usable_bundles_are_refused(document: Any, mention: str) -> None:
    assert mention in _problems(document)


def test_a_bundle_from_another_system_is_read_where_its_meaning_is_clear() -> None:
    patient = "urn:uuid:patient"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-11-25T14:00:00+00:00",
        "entry": [
            {
                "fullUrl": patient,
                "resource": {
                    "resourceType": "Patient",
                    "gender": "male",
                    "birthDate": "1958-12-01",
                },
            },
            {
                "resource": {
                    "resourceType": "Encounter",
                    "status": "in-progress",
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "IMP",
                    },
                    "period": {"start": "2026-11-24T09:00:00Z"},
                    "extension": [{"url": EXT.ward_timezone, "valueCode": "Europe/London"}],
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "oxy",
                    "status": "active",
                    "intent": "order",
                    "subject": {"reference": patient},
                    "medicationCodeableConcept": {
                        "coding": [
                            {
                                "system": RXNORM,
                                "code": "1049502",
                                "display": "12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet",
                            }
                        ]
                    },
                    "authoredOn": "2026-11-20T10:00:00Z",
                }
            },
            {
                "fullUrl": "urn:uuid:med-clarith",
                "resource": {
                    "resourceType": "Medication",
                    "code": {"text": "Clarithromycin 500mg"},
                },
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": patient},
                    "medicationReference": {"reference": "urn:uuid:med-clarith"},
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "completed",
                    "subject": {"reference": patient},
                    "medicationCodeableConcept": {"text": "phenobarbital 30 mg"},
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": patient},
                    "medicationCodeableConcept": {"text": "Omeprazole 20 mg"},
                }
            },
            {
                "resource": {
                    "resourceType": "AllergyIntolerance",
                    "patient": {"reference": patient},
                    "code": {
                        "coding": [{"system": RXNORM, "code": "6470", "display": "lorazepam"}]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
                    "effectiveDateTime": "2026-11-25T13:30:00Z",
                    "component": [
                        {
                            "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                            "valueQuantity": {
                                "value": 118,
                                "unit": "mmHg",
                                "system": "http://unitsofmeasure.org",
                                "code": "mm[Hg]",
                            },
                        },
                        {
                            "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                            "valueQuantity": {
                                "value": 70,
                                "unit": "mmHg",
                                "system": "http://unitsofmeasure.org",
                                "code": "mm[Hg]",
                            },
                        },
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": "2708-6"}]},
                    "effectiveDateTime": "2026-11-25T13:30:00Z",
                    "valueQuantity": {
                        "value": 97,
                        "unit": "%",
                        "system": "http://unitsofmeasure.org",
                        "code": "%",
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": "80288-4"}]},
                    "effectiveDateTime": "2026-11-25T13:30:00Z",
                    "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "248234008"}]},
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": "2339-0", "display": "Glucose"}]},
                    "effectiveDateTime": "2026-11-25T13:30:00Z",
                    "valueQuantity": {"value": 5.5, "unit": "mmol/L"},
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "subject": {"reference": patient},
                    "code": {"text": "Essential hypertension"},
                }
            },
        ],
    }
    imported = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    document = imported.document
    assert document["patient"]["age_years"] == 67
    assert document["patient"]["allergies"] == ["benzodiazepines"]
    assert document["episode"] == {"started_at": "2026-11-24T09:00:00Z", "setting": "inpatient"}
    medicines = [(m["name"], m["class"], m["active"]) for m in document["medications"]]
    assert medicines == [
        ("12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet", "opioid", True),
        ("Clarithromycin 500mg", "cyp3a-inhibitor", True),
        ("phenobarbital 30 mg", "barbiturate", False),
        ("phenobarbital 30 mg", "cyp3a-inducer", False),
        ("Omeprazole 20 mg", "other", True),
    ]
    assert document["medications"][0]["rxnorm"] == "1049502"
    assert document["medications"][0]["changed_at"] == "2026-11-20T10:00:00Z"
    assert document["vitals"] == [
        {"at": "2026-11-25T13:30:00Z", "systolic_bp": 118, "spo2": 97, "consciousness": "alert"}
    ]
    ignored = "\n".join(imported.ignored)
    assert "Glucose" not in ignored and "Observation (entry 11)" in ignored
    assert "Condition (entry 12)" in ignored
    recommendation = evaluate(imported.state, PROTOCOL)
    assert recommendation.action == "contraindicated"  # the benzodiazepine allergy
    assert {"benzodiazepine-allergy", "opioid-benzodiazepine", "cyp3a-inhibitor"} <= set(
        recommendation.codes
    )


def test_an_explicit_time_zone_and_decision_time_can_be_given_by_the_caller() -> None:
    bundle = _base_bundle()
    _no_time_zone(bundle)
    _no_timestamp(bundle)
    imported = import_bundle(
        bundle,
        PROTOCOL,
        terminology=TERMINOLOGY,
        at="2026-11-25T14:00:00Z",
        timezone="Europe/Paris",
    )
    assert imported.state.ward.timezone == "Europe/Paris"


def test_inactive_and_refuted_records_are_not_read() -> None:
    bundle = _base_bundle()
    patient = bundle["entry"][0]["fullUrl"]
    bundle["entry"] += [
        {
            "resource": {
                "resourceType": "Condition",
                "subject": {"reference": patient},
                "clinicalStatus": {"coding": [{"code": "resolved"}]},
                "code": {"coding": [{"system": SYSTEM.condition, "code": "sleep-apnoea"}]},
            }
        },
        {
            "resource": {
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": patient},
                "verificationStatus": {"coding": [{"code": "refuted"}]},
                "code": {"coding": [{"system": SYSTEM.allergy, "code": "benzodiazepines"}]},
            }
        },
    ]
    imported = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert imported.state.patient.conditions == ()
    assert imported.state.patient.allergies == ()
    assert len(imported.ignored) == 2


def test_an_observation_without_a_value_is_skipped_not_guessed() -> None:
    bundle = _base_bundle()
    temperature = _find(bundle, "Observation", LOINC, "8310-5")
    del temperature["valueQuantity"]
    temperature["dataAbsentReason"] = {"text": "patient refused"}
    imported = import_bundle(bundle, PROTOCOL, terminology=TERMINOLOGY)
    assert imported.state.vitals[-1].temperature_c is None
    assert any("dataAbsentReason" in line for line in imported.ignored)
    assert "vitals-stale" in evaluate(imported.state, PROTOCOL).codes  # an incomplete set
