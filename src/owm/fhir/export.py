"""An owm-state/1 patient state (and optionally its recommendation) as a FHIR R4 Bundle.

Why from the parsed state: the state is the one shape every part of owm agrees
on (the store builds it for each decision), so an episode is exported by building
its state and calling `export_state`. The Bundle is of type `collection`, every
resource refers to the Patient by its `urn:uuid:` full URL, and each id is a
UUIDv5 of the seed (the episode) and what the record is and when (a COWS at
13:30, a dose of clonazepam at 06:10): the same state always gives the same
Bundle, and a record keeps its id in later exports of the same episode, which is
what lets `owm import` take a re-exported Bundle without duplicating records.

What goes where (`docs/fhir.md` has the full table):
- Patient (sex, age as an owm extension), Encounter (episode start, setting,
  ward time zone as an owm extension; the decision time is `Bundle.timestamp`);
- Observations: COWS/SOWS/OOWS with one component per item (owm codes, no
  LOINC borrowed), POSS/RASS, each vital sign with its LOINC code, level of
  consciousness (LOINC 80288-4), supplemental oxygen, weight, pregnancy status,
  alcohol, symptoms and side effects (owm codes);
- MedicationStatement per current or past medicine (RxNorm when known, owm class
  as category), MedicationAdministration per dose (RxNorm ingredient, SNOMED
  route, outcome as status and statusReason) with a Provenance giving when it was charted;
- Condition (conditions and history), AllergyIntolerance;
- DetectedIssue for each acknowledgement (as a mitigation) and, when a
  recommendation is given, for each of its findings;
- a Provenance saying owm wrote the Bundle.
The Bundle is validated with fhir.resources' R4B models before it is returned.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from owm.clinical.findings import Recommendation, iso
from owm.clinical.instruments import INSTRUMENTS
from owm.clinical.state import PatientState
from owm.fhir import codes
from owm.fhir.codes import EXT, LOINC, RXNORM, SNOMED, SYSTEM, UCUM
from owm.fhir.terms import Terminology

__all__ = ["export_state"]

_NAMESPACE = uuid.UUID("6f0c1f4e-4b1a-5d0e-9c59-6f776d2f6668")

_SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)], "text": display or code}


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [_coding(codes.OBSERVATION_CATEGORY, code)]}]


class _Builder:
    """Collects the entries; each resource's id is a UUIDv5 of the seed and the record's
    own key (what it is and when), so a record keeps its id in every export of the
    episode however many other records come before it."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.entries: list[dict[str, Any]] = []
        self.keys: dict[str, int] = {}

    def add(self, resource: dict[str, Any], key: str) -> str:
        name = f"{resource['resourceType']}/{key}"
        seen = self.keys.get(name, 0)
        self.keys[name] = seen + 1
        if seen:
            name += f"#{seen + 1}"  # the same record twice in one state
        ident = str(uuid.uuid5(_NAMESPACE, f"{self.seed}/{name}"))
        resource["id"] = ident
        url = f"urn:uuid:{ident}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def _observation(
    patient: str,
    encounter: str | None,
    at: str,
    code: dict[str, Any],
    category: str | None,
    **value: Any,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": code,
        "subject": {"reference": patient},
        "effectiveDateTime": at,
    }
    if category:
        resource["category"] = _category(category)
    if encounter:
        resource["encounter"] = {"reference": encounter}
    resource.update(value)
    return resource


def _resources(
    state: PatientState,
    recommendation: Recommendation | None,
    build: _Builder,
    terminology: Terminology,
) -> None:
    """Add every resource to `build`, in the order a reader of the Bundle meets them."""
    at = iso(state.at)
    assert at is not None
    patient = _add_patient(state, build)
    encounter = _add_encounter(state, build, patient)
    _add_conditions(state, build, patient, encounter)
    _add_patient_observations(state, build, patient, encounter, at)
    _add_medications(state, build, patient, encounter)
    _add_assessments(state, build, patient, encounter, at)
    _add_vitals(state, build, patient, encounter, at)
    _add_bedside_records(state, build, patient, encounter, at)
    _add_administrations(state, build, patient, encounter, terminology)
    _add_issues(state, recommendation, build, patient)
    _add_holds_and_unmapped(state, build, patient, encounter)
    _add_provenance(build, patient, encounter, at)


def _add_patient(state: PatientState, build: _Builder) -> str:
    """The Patient; its reference."""
    patient_resource: dict[str, Any] = {"resourceType": "Patient", "active": True}
    if state.patient.sex is not None:
        patient_resource["gender"] = state.patient.sex
    if state.patient.age_years is not None:
        patient_resource["extension"] = [
            {"url": EXT.age_years, "valueInteger": state.patient.age_years}
        ]
    return build.add(patient_resource, "patient")


def _add_encounter(state: PatientState, build: _Builder, patient: str) -> str:
    """The Encounter of the episode (or of an unknown inpatient stay); its reference."""
    encounter_resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "in-progress",
        "subject": {"reference": patient},
        "extension": [{"url": EXT.ward_timezone, "valueCode": state.ward.timezone}],
    }
    if state.episode is not None:
        setting = state.episode.setting
        code, display = codes.ENCOUNTER_CLASS[setting]
        encounter_resource["class"] = _coding(codes.ACT_CODE, code, display)
        encounter_resource["type"] = [_concept(SYSTEM.setting, setting)]
        encounter_resource["period"] = {"start": iso(state.episode.started_at)}
    else:
        encounter_resource["class"] = _coding(codes.ACT_CODE, "IMP", "inpatient encounter")
    return build.add(encounter_resource, "episode")


def _add_conditions(state: PatientState, build: _Builder, patient: str, encounter: str) -> None:
    """Conditions, history and allergies."""
    for condition in state.patient.conditions:
        build.add(_condition(patient, encounter, SYSTEM.condition, condition), condition)
    for item in state.patient.history:
        build.add(_condition(patient, encounter, SYSTEM.history, item), f"history/{item}")
    for allergy in state.patient.allergies:
        build.add(
            {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": _concept(codes.ALLERGY_CLINICAL, "active"),
                "category": ["medication"],
                "code": _concept(SYSTEM.allergy, allergy),
                "patient": {"reference": patient},
            },
            f"allergy/{allergy}",
        )


def _add_patient_observations(
    state: PatientState, build: _Builder, patient: str, encounter: str, at: str
) -> None:
    """Weight, pregnancy status and alcohol, as of the decision time."""
    if state.patient.weight_kg is not None:
        build.add(
            _observation(
                patient,
                encounter,
                at,
                _concept(LOINC, *codes.BODY_WEIGHT),
                "vital-signs",
                valueQuantity=_quantity(state.patient.weight_kg, "kg"),
            ),
            "weight",
        )
    if state.patient.pregnant is not None:
        answer = codes.PREGNANT if state.patient.pregnant else codes.NOT_PREGNANT
        build.add(
            _observation(
                patient,
                encounter,
                at,
                _concept(LOINC, *codes.PREGNANCY_STATUS),
                "social-history",
                valueCodeableConcept=_concept(SNOMED, *answer),
            ),
            "pregnancy-status",
        )
    if state.alcohol.last_drink_at is not None:
        build.add(
            _observation(
                patient,
                encounter,
                at,
                _concept(SYSTEM.observation, "alcohol-last-drink", "Time of last alcoholic drink"),
                "social-history",
                valueDateTime=iso(state.alcohol.last_drink_at),
            ),
            f"alcohol-last-drink/{iso(state.alcohol.last_drink_at)}",
        )
    if state.alcohol.breath_alcohol_mg_l is not None:
        build.add(
            _observation(
                patient,
                encounter,
                at,
                _concept(SYSTEM.observation, "breath-alcohol", "Breath alcohol"),
                "exam",
                valueQuantity=_quantity(state.alcohol.breath_alcohol_mg_l, "mg/L"),
            ),
            f"breath-alcohol/{state.alcohol.breath_alcohol_mg_l}",
        )
    if state.alcohol.none_reported is not None:
        build.add(
            _observation(
                patient,
                encounter,
                at,
                _concept(
                    SYSTEM.observation,
                    "alcohol-none-reported",
                    "No alcoholic drink reported in the protocol's alcohol window",
                ),
                "social-history",
                valueBoolean=state.alcohol.none_reported,
            ),
            "alcohol-none-reported",
        )


def _add_medications(state: PatientState, build: _Builder, patient: str, encounter: str) -> None:
    """The medicines the patient is on or was on."""
    for medication in state.medications:
        concept: dict[str, Any] = {"text": medication.name}
        if medication.rxnorm:
            concept["coding"] = [_coding(RXNORM, medication.rxnorm)]
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "status": "active" if medication.active else "stopped",
            "category": _concept(SYSTEM.medication_class, medication.class_),
            "medicationCodeableConcept": concept,
            "subject": {"reference": patient},
            "context": {"reference": encounter},
        }
        extensions = []
        if medication.changed_at is not None:
            extensions.append({"url": EXT.changed_at, "valueDateTime": iso(medication.changed_at)})
        if medication.classified_by is not None:
            extensions.append({"url": EXT.classified_by, "valueCode": medication.classified_by})
        if extensions:
            statement["extension"] = extensions
        build.add(statement, _medication_key(medication))


def _add_assessments(
    state: PatientState, build: _Builder, patient: str, encounter: str, at: str
) -> None:
    """Each withdrawal assessment, with its items."""
    for assessment in state.assessments:
        instrument = INSTRUMENTS[assessment.instrument]
        build.add(
            _observation(
                patient,
                encounter,
                iso(assessment.at) or at,
                _concept(SYSTEM.observation, instrument.code, instrument.title),
                "survey",
                valueInteger=assessment.total,
                component=[
                    {
                        "code": _concept(
                            SYSTEM.instrument_item, f"{instrument.code}.{item.key}", item.label
                        ),
                        "valueInteger": assessment.items[item.key],
                    }
                    for item in instrument.items
                ],
            ),
            f"{assessment.instrument}/{iso(assessment.at)}",
        )


def _add_vitals(
    state: PatientState, build: _Builder, patient: str, encounter: str, at: str
) -> None:
    """Each set of vital signs, one Observation per value."""
    for vitals in state.vitals:
        when = iso(vitals.at) or at
        for field, (code, display, unit) in codes.VITALS.items():
            value = getattr(vitals, field)
            if value is not None:
                build.add(
                    _observation(
                        patient,
                        encounter,
                        when,
                        _concept(LOINC, code, display),
                        "vital-signs",
                        valueQuantity=_quantity(value, unit),
                    ),
                    f"{field}/{when}",
                )
        if vitals.consciousness is not None:
            value_concept = _concept(SYSTEM.consciousness, vitals.consciousness)
            snomed = codes.CONSCIOUSNESS_TO_SNOMED.get(vitals.consciousness)
            if snomed:
                value_concept["coding"].append(_coding(SNOMED, *snomed))
            build.add(
                _observation(
                    patient,
                    encounter,
                    when,
                    _concept(LOINC, *codes.CONSCIOUSNESS_LOINC),
                    "vital-signs",
                    valueCodeableConcept=value_concept,
                ),
                f"consciousness/{when}",
            )
        if vitals.oxygen is not None:
            build.add(
                _observation(
                    patient,
                    encounter,
                    when,
                    _concept(SYSTEM.observation, "supplemental-oxygen", "Supplemental oxygen"),
                    "vital-signs",
                    valueBoolean=vitals.oxygen,
                ),
                f"supplemental-oxygen/{when}",
            )


def _add_bedside_records(
    state: PatientState, build: _Builder, patient: str, encounter: str, at: str
) -> None:
    """Sedation, symptoms and side effects."""
    for sedation in state.sedation:
        level_system = SYSTEM.poss if sedation.scale == "POSS" else SYSTEM.rass
        build.add(
            _observation(
                patient,
                encounter,
                iso(sedation.at) or at,
                _concept(SYSTEM.observation, sedation.scale),
                "survey",
                valueCodeableConcept=_concept(level_system, sedation.level),
            ),
            f"{sedation.scale}/{iso(sedation.at)}",
        )
    for symptom in state.symptoms:
        build.add(
            _observation(
                patient,
                encounter,
                iso(symptom.at) or at,
                _concept(SYSTEM.symptom, symptom.code),
                "survey",
                valueBoolean=True,
            ),
            f"symptom/{symptom.code}/{iso(symptom.at)}",
        )
    for side_effect in state.side_effects:
        build.add(
            _observation(
                patient,
                encounter,
                iso(side_effect.at) or at,
                _concept(SYSTEM.side_effect, side_effect.code),
                "survey",
                valueBoolean=True,
            ),
            f"side-effect/{side_effect.code}/{iso(side_effect.at)}",
        )


def _add_administrations(
    state: PatientState, build: _Builder, patient: str, encounter: str, terminology: Terminology
) -> None:
    """Each dose given, refused or vomited, with when it was charted."""
    for dose in state.administrations:
        drug: dict[str, Any] = {
            "coding": [_coding(SYSTEM.administered_drug, dose.drug)],
            "text": dose.drug,
        }
        rxcui = terminology.ingredient_rxnorm(dose.drug)
        if rxcui:
            drug["coding"].insert(0, _coding(RXNORM, rxcui, dose.drug))
        route = _concept(SYSTEM.route, dose.route)
        route["coding"].append(_coding(SNOMED, *codes.ROUTE_TO_SNOMED[dose.route]))
        administration: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "status": "not-done" if dose.outcome == "refused" else "completed",
            "medicationCodeableConcept": drug,
            "subject": {"reference": patient},
            "context": {"reference": encounter},
            "effectiveDateTime": iso(dose.at),
            "dosage": {"route": route, "dose": _quantity(dose.dose_mg, "mg")},
        }
        if dose.outcome != "given":
            administration["statusReason"] = [_concept(SYSTEM.outcome, dose.outcome)]
        reference = build.add(administration, f"{dose.drug}/{iso(dose.at)}")
        if dose.recorded_at is not None:
            build.add(
                {
                    "resourceType": "Provenance",
                    "target": [{"reference": reference}],
                    "recorded": iso(dose.recorded_at),
                    "activity": _concept(SYSTEM.provenance, "charted", "Dose charted"),
                    "agent": [{"who": {"display": "ward staff"}}],
                },
                f"charted/{dose.drug}/{iso(dose.at)}",
            )


def _add_issues(
    state: PatientState, recommendation: Recommendation | None, build: _Builder, patient: str
) -> None:
    """Acknowledgements, and the findings of the recommendation when there is one."""
    for acknowledgement in state.acknowledgements:
        build.add(
            {
                "resourceType": "DetectedIssue",
                "status": "final",
                "code": _concept(SYSTEM.finding, acknowledgement.finding),
                "patient": {"reference": patient},
                "mitigation": [
                    {
                        "action": {
                            "coding": [_coding(SYSTEM.mitigation, "acknowledged")],
                            "text": acknowledgement.reason,
                        },
                        "date": iso(acknowledgement.at),
                        "author": {"display": acknowledgement.by},  # the role: physician
                    }
                ],
            },
            f"acknowledgement/{acknowledgement.finding}/{iso(acknowledgement.at)}",
        )
    if recommendation is not None:
        for finding in recommendation.findings:
            issue: dict[str, Any] = {
                "resourceType": "DetectedIssue",
                "status": "preliminary",
                "code": _concept(SYSTEM.finding, finding.code),
                "severity": _SEVERITY[finding.severity],
                "patient": {"reference": patient},
                "identifiedDateTime": iso(recommendation.at),
                "author": {"display": f"owm rule {finding.rule}"},
                "detail": f"{finding.message} (source: {finding.source})",
            }
            build.add(issue, f"finding/{finding.code}")


def _add_holds_and_unmapped(
    state: PatientState, build: _Builder, patient: str, encounter: str
) -> None:
    """Nurses' holds (MedicationAdministration on hold, the reason as its statusReason) and
    the records an import could not map (owm's `Basic` unmapped-record), clinical spec 8."""
    for hold in state.holds:
        build.add(
            {
                "resourceType": "MedicationAdministration",
                "status": "on-hold",
                "statusReason": [{"text": hold.reason}],
                "medicationCodeableConcept": {
                    "coding": [_coding(SYSTEM.administered_drug, "clonazepam")],
                    "text": "clonazepam",
                },
                "subject": {"reference": patient},
                "context": {"reference": encounter},
                "effectiveDateTime": iso(hold.at),
            },
            f"hold/{iso(hold.at)}/{hold.reason}",
        )
    for record in state.unmapped:
        extension = [
            {"url": EXT.unmapped_kind, "valueCode": record.kind},
            {"url": EXT.unmapped_text, "valueString": record.text},
        ]
        basic: dict[str, Any] = {
            "resourceType": "Basic",
            "code": _concept(SYSTEM.record, "unmapped-record", "A record owm could not map"),
            "subject": {"reference": patient},
            "extension": extension,
        }
        if record.code:
            basic["identifier"] = [{"system": record.system or None, "value": record.code}]
            if not record.system:
                del basic["identifier"][0]["system"]
        build.add(basic, f"unmapped/{record.kind}/{record.text}/{record.code}")


def _add_provenance(build: _Builder, patient: str, encounter: str, at: str) -> None:
    """The Provenance saying owm wrote the Bundle."""
    build.add(
        {
            "resourceType": "Provenance",
            "target": [{"reference": patient}, {"reference": encounter}],
            "recorded": at,
            "activity": _concept(SYSTEM.provenance, "export", "Exported by owm"),
            "agent": [{"who": {"display": "owm"}}],
        },
        "export",
    )


def _medication_key(medication: Any) -> str:
    changed = iso(medication.changed_at) if medication.changed_at is not None else ""
    return f"{medication.class_}/{medication.name}/{medication.rxnorm or ''}/{changed}"


def _condition(patient: str, encounter: str, system: str, code: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": _concept(codes.CONDITION_CLINICAL, "active"),
        "code": _concept(system, code),
        "subject": {"reference": patient},
        "encounter": {"reference": encounter},
    }


def _quantity(value: Decimal | int, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def export_state(
    state: PatientState,
    *,
    terminology: Terminology,
    recommendation: Recommendation | None = None,
    seed: str | None = None,
) -> dict[str, Any]:
    """The state as a validated FHIR R4 `Bundle` (type collection), as JSON-ready data.

    `terminology` gives the RxNorm code of each drug given (`owm.terminology.TERMINOLOGY`).
    `seed` makes the resource ids unique per episode when the store exports many
    (by default the decision time); the same state and seed give the same ids.
    """
    build = _Builder(seed or (iso(state.at) or ""))
    _resources(state, recommendation, build, terminology)
    document: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": iso(state.at),
        "meta": {
            "tag": [_coding(SYSTEM.protocol, state.protocol)] if state.protocol else [],
        },
        "entry": build.entries,
    }
    if not document["meta"]["tag"]:
        del document["meta"]
    bundle = Bundle.model_validate(document)
    result: dict[str, Any] = bundle.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result
