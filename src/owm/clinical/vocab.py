"""Every vocabulary owm speaks, in one place: the codes of `owm-state/1` and of the ward.

Why one module: a code list copied into a page, a schema and a table drifts (a
new outcome added to one and not the others is a value a nurse can pick that the
core refuses, or one the core knows that no page offers). Each vocabulary is a
`Literal` type (for type checking and validation) and a tuple of its values in
the order screens list them (for forms, schemas and messages). Adapters import
the tuples from here; nothing else defines them.

Sources: `state-format.md` (the state's vocabularies), clinical spec sections
1-4 and 8; the ward's own lists (settings, first-line choices, MOUD referrals)
from clinical spec section 4 (NICE CG52, ASAM 2020: methadone or buprenorphine
is first-line care, offered at admission and at discharge).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ACKNOWLEDGING_ROLES",
    "ADMINISTERED_DRUGS",
    "ALLERGIES",
    "COMPANION_DRUGS",
    "CONDITIONS",
    "CONSCIOUSNESS",
    "COUNTED_OUTCOMES",
    "FIRST_LINE_CHOICES",
    "HISTORY",
    "INSTRUMENT_CODES",
    "MEDICATION_CLASSES",
    "MOUD_REFERRALS",
    "OTHER_BENZODIAZEPINES",
    "OUTCOMES",
    "ROUTES",
    "SEDATION_SCALES",
    "SETTINGS",
    "SEXES",
    "SIDE_EFFECTS",
    "SYMPTOMS",
    "UNMAPPED_KINDS",
    "AcknowledgingRole",
    "AdministeredDrug",
    "Allergy",
    "CompanionDrug",
    "Condition",
    "Consciousness",
    "FirstLineChoice",
    "History",
    "InstrumentCode",
    "MedicationClass",
    "MoudReferral",
    "OtherBenzodiazepine",
    "Outcome",
    "Route",
    "SedationScaleCode",
    "Setting",
    "Sex",
    "SideEffect",
    "Symptom",
    "UnmappedKind",
]

Condition = Literal[
    "significant-liver-disease",
    "mild-liver-disease",
    "acute-narrow-angle-glaucoma",
    "severe-respiratory-insufficiency",
    "sleep-apnoea",
    "copd",
    "hypercapnic-respiratory-failure",
    "epilepsy",
    "renal-impairment",
]
Allergy = Literal["benzodiazepines"]
History = Literal["benzodiazepine-misuse", "alcohol-use-disorder"]
MedicationClass = Literal[
    "opioid",
    "benzodiazepine",
    "gabapentinoid",
    "z-drug",
    "muscle-relaxant",
    "sedating-antihistamine",
    "antipsychotic",
    "barbiturate",
    "alpha2-agonist",
    "cyp3a-inhibitor",
    "cyp3a-inducer",
    "other",
]
Symptom = Literal[
    "anxiety",
    "agitation",
    "muscle-tension",
    "restless-legs",
    "insomnia",
    "poor-appetite",
    "diarrhoea",
    "nausea",
    "aches",
]
SideEffect = Literal[
    "drowsiness",
    "headache-dizziness",
    "ataxia",
    "diplopia",
    "cognitive",
    "emotional-lability",
    "depression",
    "respiratory-tract",
    "gastrointestinal",
    "sexual",
    "urinary",
]
OtherBenzodiazepine = Literal[
    "alprazolam",
    "chlordiazepoxide",
    "diazepam",
    "lorazepam",
    "midazolam",
    "oxazepam",
    "temazepam",
]
CompanionDrug = Literal[
    "lofexidine",
    "clonidine",
    "loperamide",
    "ondansetron",
    "ibuprofen",
    "paracetamol",
    "hydroxyzine",
    "trazodone",
]
AdministeredDrug = Literal["clonazepam", CompanionDrug, OtherBenzodiazepine]
Outcome = Literal["given", "partial", "vomited", "refused"]
Route = Literal["oral", "sublingual", "intravenous", "intramuscular", "rectal"]
Consciousness = Literal["alert", "confusion", "voice", "pain", "unresponsive"]
Sex = Literal["female", "male", "other", "unknown"]
Setting = Literal["inpatient", "residential", "outpatient"]
InstrumentCode = Literal["COWS", "SOWS", "OOWS"]
SedationScaleCode = Literal["POSS", "RASS"]
AcknowledgingRole = Literal["physician"]
UnmappedKind = Literal["condition", "allergy", "medication"]
FirstLineChoice = Literal["methadone", "buprenorphine", "declined", "undecided"]
MoudReferral = Literal["methadone", "buprenorphine", "declined", "already-on-moud"]

CONDITIONS: tuple[str, ...] = get_args(Condition)
ALLERGIES: tuple[str, ...] = get_args(Allergy)
HISTORY: tuple[str, ...] = get_args(History)
MEDICATION_CLASSES: tuple[str, ...] = get_args(MedicationClass)
SYMPTOMS: tuple[str, ...] = get_args(Symptom)
SIDE_EFFECTS: tuple[str, ...] = get_args(SideEffect)
OTHER_BENZODIAZEPINES: tuple[str, ...] = get_args(OtherBenzodiazepine)
COMPANION_DRUGS: tuple[str, ...] = get_args(CompanionDrug)
ADMINISTERED_DRUGS: tuple[str, ...] = ("clonazepam", *COMPANION_DRUGS, *OTHER_BENZODIAZEPINES)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
COUNTED_OUTCOMES: frozenset[str] = frozenset({"given", "partial", "vomited"})
"""Outcomes of a dose that count toward interval, 24 h total and course (spec section 7)."""
ROUTES: tuple[str, ...] = get_args(Route)
CONSCIOUSNESS: tuple[str, ...] = get_args(Consciousness)
"""ACVPU with new confusion, from alert to unresponsive (the order is severity)."""
SEXES: tuple[str, ...] = get_args(Sex)
SETTINGS: tuple[str, ...] = get_args(Setting)
INSTRUMENT_CODES: tuple[str, ...] = get_args(InstrumentCode)
SEDATION_SCALES: tuple[str, ...] = get_args(SedationScaleCode)
ACKNOWLEDGING_ROLES: tuple[str, ...] = get_args(AcknowledgingRole)
"""Who may acknowledge an escalation (clinical spec section 8): a physician only."""
UNMAPPED_KINDS: tuple[str, ...] = get_args(UnmappedKind)
FIRST_LINE_CHOICES: tuple[str, ...] = get_args(FirstLineChoice)
MOUD_REFERRALS: tuple[str, ...] = get_args(MoudReferral)
