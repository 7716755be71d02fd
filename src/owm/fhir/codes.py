"""The code systems and codes owm writes into FHIR, and the ones it reads from others.

owm's own code systems live under `https://owm.example/fhir/`, a namespace no
one else can take (`.example` is reserved by RFC 2606) and that owm keeps stable:
a code system URI here never changes meaning. They carry what no standard code
covers or what could not be verified: COWS, SOWS and OOWS and their items (the
clinical specification forbids borrowing an unrelated LOINC code for them),
POSS and RASS, supplemental oxygen, symptoms, side effects, owm's conditions,
allergy and history codes, medication classes, finding codes and
administration outcomes. `docs/fhir.md` lists them all.

Standard codes are used only where they were checked against a published
source: the vital signs LOINC codes of the FHIR vital signs profile, LOINC
80288-4 (level of consciousness) with the SNOMED CT AVPU findings, LOINC 82810-3
(pregnancy status) with SNOMED CT 77386006 / 60001007, RxNorm for medicines and
SNOMED CT routes.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CONSCIOUSNESS_FROM_SNOMED",
    "CONSCIOUSNESS_TO_SNOMED",
    "ENCOUNTER_CLASS",
    "EXT",
    "LOINC",
    "OWM",
    "ROUTE_TO_SNOMED",
    "RXNORM",
    "SNOMED",
    "SPO2_CODES",
    "SYSTEM",
    "UCUM",
    "VITALS",
]

OWM: Final = "https://owm.example/fhir"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"


class SYSTEM:
    """owm code system URIs (`{OWM}/CodeSystem/<name>`)."""

    observation: Final = f"{OWM}/CodeSystem/observation"
    """What an Observation is: COWS, SOWS, OOWS, POSS, RASS, supplemental-oxygen,
    alcohol-last-drink, breath-alcohol, alcohol-none-reported."""
    instrument_item: Final = f"{OWM}/CodeSystem/instrument-item"
    """One item of an instrument: `<INSTRUMENT>.<item>`, e.g. `COWS.resting_pulse`."""
    poss: Final = f"{OWM}/CodeSystem/poss"
    """POSS levels: S, 1, 2, 3, 4."""
    rass: Final = f"{OWM}/CodeSystem/rass"
    """RASS levels: -5 .. 4 (no leading +)."""
    consciousness: Final = f"{OWM}/CodeSystem/consciousness"
    """ACVPU: alert, confusion, voice, pain, unresponsive."""
    symptom: Final = f"{OWM}/CodeSystem/symptom"
    side_effect: Final = f"{OWM}/CodeSystem/side-effect"
    condition: Final = f"{OWM}/CodeSystem/condition"
    history: Final = f"{OWM}/CodeSystem/history"
    allergy: Final = f"{OWM}/CodeSystem/allergy"
    medication_class: Final = f"{OWM}/CodeSystem/medication-class"
    administered_drug: Final = f"{OWM}/CodeSystem/administered-drug"
    route: Final = f"{OWM}/CodeSystem/route"
    outcome: Final = f"{OWM}/CodeSystem/administration-outcome"
    """given, partial, vomited, refused."""
    setting: Final = f"{OWM}/CodeSystem/setting"
    finding: Final = f"{OWM}/CodeSystem/finding"
    """Finding codes of owm-recommendation/1 (DetectedIssue.code)."""
    mitigation: Final = f"{OWM}/CodeSystem/mitigation"
    """`acknowledged`: a physician reviewed an escalation and recorded a reason."""
    protocol: Final = f"{OWM}/CodeSystem/protocol"
    provenance: Final = f"{OWM}/CodeSystem/provenance-activity"
    """`export` (the bundle was written by owm), `charted` (when a dose was charted)."""
    record: Final = f"{OWM}/CodeSystem/record"
    """`unmapped-record` (a Basic resource: a record an import could not map) and
    `dose-hold` (a nurse's hold of a dose)."""


class EXT:
    """owm extension URLs (`{OWM}/StructureDefinition/<name>`)."""

    age_years: Final = f"{OWM}/StructureDefinition/age-years"
    ward_timezone: Final = f"{OWM}/StructureDefinition/ward-timezone"
    changed_at: Final = f"{OWM}/StructureDefinition/medication-changed-at"
    classified_by: Final = f"{OWM}/StructureDefinition/medication-classified-by"
    """The role (physician, pharmacist) who chose the class of a medicine owm does not know."""
    unmapped_kind: Final = f"{OWM}/StructureDefinition/unmapped-kind"
    unmapped_text: Final = f"{OWM}/StructureDefinition/unmapped-text"


# Vital signs: state field -> (LOINC code, display, UCUM unit). The FHIR vital signs
# profile's codes; SpO2 as pulse oximetry 59408-5 (2708-6, arterial, is read too).
VITALS: Final[dict[str, tuple[str, str, str]]] = {
    "respiratory_rate": ("9279-1", "Respiratory rate", "/min"),
    "spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "systolic_bp": ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    "pulse": ("8867-4", "Heart rate", "/min"),
    "temperature_c": ("8310-5", "Body temperature", "Cel"),
}
SPO2_CODES: Final = frozenset({"59408-5", "2708-6"})
CONSCIOUSNESS_LOINC: Final = ("80288-4", "Level of consciousness")
BLOOD_PRESSURE_PANEL: Final = "85354-9"
BODY_WEIGHT: Final = ("29463-7", "Body weight")
PREGNANCY_STATUS: Final = ("82810-3", "Pregnancy status")
PREGNANT: Final = ("77386006", "Pregnant")
NOT_PREGNANT: Final = ("60001007", "Not pregnant")

# AVPU findings in SNOMED CT as published value sets use them; "new confusion" and
# "voice" are written in owm's code system only (no single verified code); both
# published codes for "responds to voice" are read.  # vocab: consciousness levels
CONSCIOUSNESS_TO_SNOMED: Final[dict[str, tuple[str, str]]] = {
    "alert": ("248234008", "Mentally alert"),
    "pain": ("450847001", "Responds to pain"),
    "unresponsive": ("422768004", "Unresponsive"),
}
CONSCIOUSNESS_FROM_SNOMED: Final[dict[str, str]] = {
    "248234008": "alert",
    "450847001": "pain",
    "422768004": "unresponsive",
    "300202002": "voice",
    "255373000": "voice",
}

# SNOMED CT route of administration.  # vocab: its keys are the routes of a dose
ROUTE_TO_SNOMED: Final[dict[str, tuple[str, str]]] = {
    "oral": ("26643006", "Oral route"),
    "sublingual": ("37839007", "Sublingual route"),
    "intravenous": ("47625008", "Intravenous route"),
    "intramuscular": ("78421000", "Intramuscular route"),
    "rectal": ("37161004", "Rectal route"),
}

# Episode setting -> v3 ActCode encounter class (read back: IMP/ACUTE inpatient,
# NONAC residential, AMB outpatient).
ENCOUNTER_CLASS: Final[dict[str, tuple[str, str]]] = {
    "inpatient": ("IMP", "inpatient encounter"),
    "residential": ("NONAC", "inpatient non-acute"),
    "outpatient": ("AMB", "ambulatory"),
}
SETTING_FROM_CLASS: Final[dict[str, str]] = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "residential",
    "AMB": "outpatient",
}
