"""A FHIR R4 Bundle as an owm-state/1 document, with errors that name the resource.

Why it is strict: a state drives a dosing decision, so nothing is guessed. A
resource owm reads but cannot use exactly (a COWS item value that is not on the
form, a temperature in °F, a dose without milligrams, a benzodiazepine given that
the state format cannot name) is an error naming the resource, the element and
what is allowed (`BundleError`, exit status 2 in the CLI). A resource owm has no
use for (another Observation, a Condition outside owm's list) is skipped and
listed in `ImportResult.ignored`, so a caller can show what was not read.

Bundles written by `export_state` come back exactly; bundles from other systems
are read where their meaning is clear: vital signs by LOINC, medicines by RxNorm
code or name through `owm.terminology` (several classes give one state medicine
per class; none gives class "other"), MedicationRequest as well as
MedicationStatement, the age from `Patient.birthDate`, an allergy to any
benzodiazepine as the `benzodiazepines` allergy. Two things have no standard
place and must come from the Bundle or the caller: the decision time
(`Bundle.timestamp` or `at=`) and the ward's time zone (the owm extension on the
Encounter or `timezone=`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from owm.clinical.instruments import INSTRUMENTS
from owm.clinical.protocol import Protocol
from owm.clinical.state import ADMINISTERED_DRUGS, PatientState, StateError, parse_state
from owm.fhir import codes
from owm.fhir.codes import EXT, LOINC, RXNORM, SNOMED, SYSTEM, UCUM
from owm.terminology import CLASSES, classify, ingredient_name

__all__ = ["BundleError", "ImportResult", "import_bundle"]


class BundleError(ValueError):
    """A Bundle owm cannot turn into a state; `problems` has one line per problem.

    Each line names the resource (type/id and entry number), the element, the
    value and what is allowed.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid FHIR Bundle:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class ImportResult:
    """The state read from a Bundle, validated against the protocol in force."""

    document: dict[str, Any]
    """The owm-state/1 document."""
    state: PatientState
    ignored: tuple[str, ...] = ()
    """Resources (or parts) that were read but have no place in the state, and why."""


_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_ACTIVE_CLINICAL = {"active", "recurrence", "relapse"}
_REFUTED = {"refuted", "entered-in-error"}
_SKIPPED_OBSERVATION = {"entered-in-error", "cancelled", "registered"}
_PREGNANCY_ANSWERS = {
    (SNOMED, codes.PREGNANT[0]): True,
    (SNOMED, codes.NOT_PREGNANT[0]): False,
    (LOINC, "LA15173-0"): True,
    (LOINC, "LA26683-5"): False,
}
_WHOLE = {"respiratory_rate", "spo2", "systolic_bp", "pulse"}


@dataclass
class _Entry:
    index: int
    resource: dict[str, Any]

    @property
    def label(self) -> str:
        kind = self.resource.get("resourceType", "?")
        ident = self.resource.get("id")
        return f"{kind}/{ident} (entry {self.index})" if ident else f"{kind} (entry {self.index})"


@dataclass
class _Reader:
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)

    def problem(self, entry: _Entry | None, element: str, message: str) -> None:
        where = entry.label if entry is not None else "Bundle"
        self.problems.append(f"{where} {element}: {message}")

    def ignore(self, entry: _Entry, why: str) -> None:
        self.ignored.append(f"{entry.label}: {why}")


def _codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding", []) if isinstance(c, dict)]


def _code_in(concept: Any, system: str) -> str | None:
    return next((c.get("code") for c in _codings(concept) if c.get("system") == system), None)


def _concepts(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _moment(read: _Reader, entry: _Entry, element: str, value: Any) -> str | None:
    if isinstance(value, str) and _MOMENT.match(value):
        return value
    read.problem(
        entry,
        element,
        f"{value!r} is not a date and time with seconds and a time zone; "
        "allowed: e.g. 2026-11-25T14:00:00Z",
    )
    return None


def _effective(read: _Reader, entry: _Entry) -> str | None:
    resource = entry.resource
    for element in ("effectiveDateTime", "effectiveInstant"):
        if element in resource:
            return _moment(read, entry, element, resource[element])
    period = resource.get("effectivePeriod")
    if isinstance(period, dict) and "start" in period:
        return _moment(read, entry, "effectivePeriod.start", period["start"])
    read.problem(entry, "effective[x]", "missing; allowed: effectiveDateTime with a time zone")
    return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _quantity(
    read: _Reader, entry: _Entry, element: str, quantity: Any, units: Iterable[str]
) -> Decimal | None:
    allowed = tuple(units)
    if not isinstance(quantity, dict) or "value" not in quantity:
        read.problem(
            entry, element, f"missing a value; allowed: a Quantity in {', '.join(allowed)}"
        )
        return None
    unit = quantity.get("code") or quantity.get("unit")
    if quantity.get("code") and quantity.get("system") not in (None, UCUM):
        read.problem(
            entry,
            f"{element}.system",
            f"{quantity.get('system')!r} is not allowed; allowed: {UCUM}",
        )
        return None
    if unit not in allowed:
        read.problem(
            entry, f"{element}.code", f"unit {unit!r} is not allowed; allowed: {', '.join(allowed)}"
        )
        return None
    value = _decimal(quantity["value"])
    if value is None:
        read.problem(entry, f"{element}.value", f"{quantity['value']!r} is not a number")
    return value


def _validate(read: _Reader, entries: list[_Entry]) -> None:
    """Structural validation of each resource with fhir.resources' R4B models."""
    for entry in entries:
        kind = entry.resource.get("resourceType")
        try:
            model = get_fhir_model_class(str(kind))
        except (KeyError, ValueError):
            read.problem(entry, "resourceType", f"{kind!r} is not a FHIR R4 resource type")
            continue
        try:
            model.model_validate(entry.resource)
        except pydantic.ValidationError as error:
            for item in error.errors(include_url=False):
                path = ".".join(
                    f"[{p}]" if isinstance(p, int) else str(p) for p in item["loc"]
                ).replace(".[", "[")
                message = str(item["msg"]).removeprefix("Value error, ")
                read.problem(entry, path or "(resource)", f"{message} (got {item.get('input')!r})")
        except (TypeError, ValueError, KeyError) as error:
            read.problem(entry, "(resource)", f"not a valid {kind}: {error}")


def _age_at(birth: str, at: str) -> int | None:
    try:
        born = date.fromisoformat(birth)
        when = datetime.fromisoformat(at.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def import_bundle(
    document: Any,
    protocol: Protocol,
    *,
    at: str | None = None,
    timezone: str | None = None,
) -> ImportResult:
    """Read a FHIR R4 Bundle into an owm-state/1 document and validate it.

    Raises BundleError naming every problem (resource, element, value, allowed);
    never returns a partly read state.
    """
    read = _Reader()
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        kind = document.get("resourceType") if isinstance(document, dict) else type(document)
        raise BundleError([f"(document) resourceType: {kind!r} is not allowed; allowed: 'Bundle'"])
    raw_entries = document.get("entry", [])
    if not isinstance(raw_entries, list):
        raise BundleError(["Bundle entry: must be a list of entries"])
    entries: list[_Entry] = []
    urls: dict[str, _Entry] = {}
    for index, raw in enumerate(raw_entries):
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if not isinstance(resource, dict):
            read.problem(None, f"entry[{index}].resource", "missing; every entry needs a resource")
            continue
        entry = _Entry(index, resource)
        entries.append(entry)
        if isinstance(raw.get("fullUrl"), str):
            urls[raw["fullUrl"]] = entry
        if resource.get("id"):
            urls[f"{resource.get('resourceType')}/{resource['id']}"] = entry
    _validate(read, entries)
    if read.problems:
        raise BundleError(read.problems)

    state: dict[str, Any] = {"format": "owm-state/1"}
    decision_time = document.get("timestamp") or at
    if at is not None:
        decision_time = at
    if decision_time is None:
        read.problem(None, "timestamp", "missing; the decision time is Bundle.timestamp")
    elif not (isinstance(decision_time, str) and _MOMENT.match(decision_time)):
        read.problem(None, "timestamp", f"{decision_time!r} needs seconds and a time zone")
    else:
        state["at"] = decision_time
    tags = document.get("meta", {}).get("tag", []) if isinstance(document.get("meta"), dict) else []
    for tag in tags:
        if isinstance(tag, dict) and tag.get("system") == SYSTEM.protocol:
            state["protocol"] = tag.get("code")

    def of_type(kind: str) -> list[_Entry]:
        return [e for e in entries if e.resource.get("resourceType") == kind]

    _patient(read, of_type("Patient"), state)
    _encounter(read, of_type("Encounter"), state, timezone)
    _conditions(read, of_type("Condition"), state)
    _allergies(read, of_type("AllergyIntolerance"), state)
    _observations(read, of_type("Observation"), state)
    medicines = of_type("MedicationStatement") + of_type("MedicationRequest")
    _medications(read, sorted(medicines, key=lambda e: e.index), state, urls)
    _administrations(read, of_type("MedicationAdministration"), of_type("Provenance"), state, urls)
    _acknowledgements(read, of_type("DetectedIssue"), state)
    for entry in entries:
        if entry.resource.get("resourceType") not in _READ:
            read.ignore(entry, "owm does not read this resource type")
    if read.problems:
        raise BundleError(read.problems)
    try:
        parsed = parse_state(state, protocol)
    except StateError as error:
        raise BundleError([_locate(problem, read.origin) for problem in error.problems]) from None
    return ImportResult(document=state, state=parsed, ignored=tuple(read.ignored))


_READ = {
    "Patient",
    "Encounter",
    "Condition",
    "AllergyIntolerance",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "Medication",
    "DetectedIssue",
    "Provenance",
}


def _locate(problem: str, origin: Mapping[str, str]) -> str:
    """Prefix a state problem with the resource and element it was read from."""
    path = problem.split(": ", 1)[0]
    best = ""
    for key in origin:
        if (path == key or path.startswith((key + ".", key + "["))) and len(key) > len(best):
            best = key
    return f"{origin[best]} -> {problem}" if best else problem


def _patient(read: _Reader, patients: list[_Entry], state: dict[str, Any]) -> None:
    if len(patients) != 1:
        read.problem(
            None, "entry", f"{len(patients)} Patient resources; allowed: exactly one Patient"
        )
        return
    entry = patients[0]
    resource = entry.resource
    patient: dict[str, Any] = {}
    gender = resource.get("gender")
    if gender is not None:
        if gender not in ("female", "male", "other", "unknown"):
            read.problem(
                entry, "gender", f"{gender!r} is not allowed; allowed: female, male, other, unknown"
            )
        patient["sex"] = gender
        read.origin["patient.sex"] = f"{entry.label} gender"
    age = next(
        (
            e.get("valueInteger")
            for e in resource.get("extension", [])
            if isinstance(e, dict) and e.get("url") == EXT.age_years
        ),
        None,
    )
    if age is not None:
        patient["age_years"] = age
        read.origin["patient.age_years"] = f"{entry.label} extension[age-years]"
    elif "birthDate" in resource:
        birth = resource["birthDate"]
        years = _age_at(birth, state["at"]) if "at" in state else None
        if years is None and "at" in state:
            read.problem(
                entry,
                "birthDate",
                f"{birth!r}: a full date is needed for the age; allowed: YYYY-MM-DD",
            )
        elif years is not None:
            patient["age_years"] = years
            read.origin["patient.age_years"] = f"{entry.label} birthDate"
    state["patient"] = patient


def _encounter(
    read: _Reader, encounters: list[_Entry], state: dict[str, Any], timezone: str | None
) -> None:
    chosen = encounters
    if len(encounters) > 1:
        chosen = [e for e in encounters if e.resource.get("status") == "in-progress"]
        if len(chosen) != 1:
            read.problem(
                None,
                "entry",
                f"{len(encounters)} Encounters and {len(chosen)} of them in progress; "
                "allowed: one Encounter, or exactly one with status in-progress",
            )
            return
    zone = timezone
    if chosen:
        entry = chosen[0]
        resource = entry.resource
        for extension in resource.get("extension", []):
            if isinstance(extension, dict) and extension.get("url") == EXT.ward_timezone:
                zone = extension.get("valueCode") or extension.get("valueString")
                read.origin["ward.timezone"] = f"{entry.label} extension[ward-timezone]"
        period = resource.get("period")
        if isinstance(period, dict) and "start" in period:
            started = _moment(read, entry, "period.start", period["start"])
            setting = None
            for concept in resource.get("type", []):
                setting = _code_in(concept, SYSTEM.setting) or setting
            if setting is None and isinstance(resource.get("class"), dict):
                klass = resource["class"].get("code")
                setting = codes.SETTING_FROM_CLASS.get(str(klass))
                if setting is None:
                    read.problem(
                        entry,
                        "class.code",
                        f"{klass!r} is not allowed; allowed: "
                        + ", ".join(codes.SETTING_FROM_CLASS),
                    )
            episode: dict[str, Any] = {"started_at": started}
            if setting is not None:
                episode["setting"] = setting
            state["episode"] = episode
            read.origin["episode"] = f"{entry.label} period"
    if zone is None:
        read.problem(
            None,
            "Encounter.extension",
            f"no ward time zone; allowed: the extension {EXT.ward_timezone} "
            "(valueCode: an IANA name such as Europe/London) on the Encounter",
        )
        return
    state["ward"] = {"timezone": zone}


def _clinically_active(entry: _Entry) -> bool:
    resource = entry.resource
    clinical = resource.get("clinicalStatus")
    if clinical is not None:
        status = next((c.get("code") for c in _codings(clinical)), None)
        if status not in _ACTIVE_CLINICAL:
            return False
    verification = next((c.get("code") for c in _codings(resource.get("verificationStatus"))), None)
    return verification not in _REFUTED


def _conditions(read: _Reader, conditions: list[_Entry], state: dict[str, Any]) -> None:
    patient = state.setdefault("patient", {})
    for entry in conditions:
        concept = entry.resource.get("code")
        condition = _code_in(concept, SYSTEM.condition)
        history = _code_in(concept, SYSTEM.history)
        if condition is None and history is None:
            read.ignore(entry, "not one of owm's conditions or history codes")
            continue
        if not _clinically_active(entry):
            read.ignore(entry, "not clinically active")
            continue
        key, code = ("conditions", condition) if condition else ("history", history)
        items = patient.setdefault(key, [])
        if code not in items:
            read.origin[f"patient.{key}[{len(items)}]"] = f"{entry.label} code"
            items.append(code)


def _allergies(read: _Reader, allergies: list[_Entry], state: dict[str, Any]) -> None:
    patient = state.setdefault("patient", {})
    for entry in allergies:
        concept = entry.resource.get("code")
        code = _code_in(concept, SYSTEM.allergy)
        if code is None:
            text = " ".join(
                [str(concept.get("text", "")) if isinstance(concept, dict) else ""]
                + [str(c.get("display", "")) for c in _codings(concept)]
            )
            rxnorm = _code_in(concept, RXNORM)
            if "benzodiazepine" in classify(rxnorm=rxnorm, name=text) or re.search(
                r"\bbenzodiazepines?\b", text, re.IGNORECASE
            ):
                code = "benzodiazepines"
        if code is None:
            read.ignore(entry, "not an allergy owm decides on (benzodiazepines)")
            continue
        if not _clinically_active(entry):
            read.ignore(entry, "not clinically active")
            continue
        items = patient.setdefault("allergies", [])
        if code not in items:
            read.origin[f"patient.allergies[{len(items)}]"] = f"{entry.label} code"
            items.append(code)


def _observations(read: _Reader, observations: list[_Entry], state: dict[str, Any]) -> None:
    vitals: dict[str, dict[str, Any]] = {}
    latest: dict[str, tuple[str, Any, str]] = {}
    lists: dict[str, list[dict[str, Any]]] = {
        "assessments": [],
        "sedation": [],
        "symptoms": [],
        "side_effects": [],
    }
    for entry in observations:
        resource = entry.resource
        if resource.get("status") in _SKIPPED_OBSERVATION:
            read.ignore(entry, f"status {resource.get('status')}")
            continue
        concept = resource.get("code")
        owm_code = _code_in(concept, SYSTEM.observation)
        loinc = _code_in(concept, LOINC)
        symptom = _code_in(concept, SYSTEM.symptom)
        side_effect = _code_in(concept, SYSTEM.side_effect)
        known = (
            owm_code in INSTRUMENTS
            or owm_code in ("POSS", "RASS", "supplemental-oxygen", "alcohol-last-drink")
            or owm_code == "breath-alcohol"
            or symptom
            or side_effect
            or loinc in {code for code, _, _ in codes.VITALS.values()}
            or loinc in codes.SPO2_CODES
            or loinc
            in (
                codes.BLOOD_PRESSURE_PANEL,
                codes.CONSCIOUSNESS_LOINC[0],
                codes.BODY_WEIGHT[0],
                codes.PREGNANCY_STATUS[0],
            )
        )
        if not known:
            read.ignore(entry, "not an observation owm reads")
            continue
        when = _effective(read, entry)
        if when is None:
            continue
        if owm_code in INSTRUMENTS:
            _assessment(read, entry, owm_code, when, lists["assessments"])
        elif owm_code in ("POSS", "RASS"):
            _sedation(read, entry, owm_code, when, lists["sedation"])
        elif symptom or side_effect:
            key = "symptoms" if symptom else "side_effects"
            if resource.get("valueBoolean") is False:
                read.ignore(entry, "recorded as absent")
                continue
            read.origin[f"{key}[{len(lists[key])}]"] = f"{entry.label} code"
            lists[key].append({"at": when, "code": symptom or side_effect})
        elif owm_code == "alcohol-last-drink":
            drink = _moment(read, entry, "valueDateTime", resource.get("valueDateTime"))
            if drink is not None:
                _keep_latest(latest, "last_drink_at", when, drink, f"{entry.label} valueDateTime")
        elif owm_code == "breath-alcohol":
            value = _quantity(read, entry, "valueQuantity", resource.get("valueQuantity"), ["mg/L"])
            if value is not None:
                _keep_latest(latest, "breath", when, value, f"{entry.label} valueQuantity")
        elif loinc == codes.BODY_WEIGHT[0]:
            value = _quantity(read, entry, "valueQuantity", resource.get("valueQuantity"), ["kg"])
            if value is not None:
                _keep_latest(latest, "weight", when, value, f"{entry.label} valueQuantity")
        elif loinc == codes.PREGNANCY_STATUS[0]:
            answer = resource.get("valueCodeableConcept")
            found = [
                _PREGNANCY_ANSWERS[(str(c.get("system")), str(c.get("code")))]
                for c in _codings(answer)
                if (str(c.get("system")), str(c.get("code"))) in _PREGNANCY_ANSWERS
            ]
            if not found:
                read.ignore(entry, "pregnancy status neither pregnant nor not pregnant")
                continue
            _keep_latest(latest, "pregnant", when, found[0], f"{entry.label} valueCodeableConcept")
        else:
            _vital(read, entry, owm_code, loinc, when, vitals)
    patient = state.setdefault("patient", {})
    if "weight" in latest:
        patient["weight_kg"] = str(latest["weight"][1])
        read.origin["patient.weight_kg"] = latest["weight"][2]
    if "pregnant" in latest:
        patient["pregnant"] = latest["pregnant"][1]
        read.origin["patient.pregnant"] = latest["pregnant"][2]
    alcohol: dict[str, Any] = {}
    if "last_drink_at" in latest:
        alcohol["last_drink_at"] = latest["last_drink_at"][1]
        read.origin["alcohol.last_drink_at"] = latest["last_drink_at"][2]
    if "breath" in latest:
        alcohol["breath_alcohol_mg_l"] = str(latest["breath"][1])
        read.origin["alcohol.breath_alcohol_mg_l"] = latest["breath"][2]
    if alcohol:
        state["alcohol"] = alcohol
    for key, records in lists.items():
        if records:
            state[key] = records
    if vitals:
        state["vitals"] = []
        for index, (when, values) in enumerate(vitals.items()):
            sources = values.pop("_sources")
            for name, source in sources.items():
                read.origin[f"vitals[{index}].{name}"] = source
            state["vitals"].append({"at": when, **values})


def _keep_latest(
    latest: dict[str, tuple[str, Any, str]], key: str, when: str, value: Any, source: str
) -> None:
    moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if key not in latest or moment >= datetime.fromisoformat(latest[key][0].replace("Z", "+00:00")):
        latest[key] = (when, value, source)


def _assessment(
    read: _Reader, entry: _Entry, code: str, when: str, assessments: list[dict[str, Any]]
) -> None:
    instrument = INSTRUMENTS[code]
    items: dict[str, Any] = {}
    index = len(assessments)
    for number, component in enumerate(entry.resource.get("component", [])):
        item_code = _code_in(component.get("code"), SYSTEM.instrument_item)
        prefix = f"{instrument.code}."
        if item_code is None or not item_code.startswith(prefix):
            read.problem(
                entry,
                f"component[{number}].code",
                f"not a {instrument.code} item in {SYSTEM.instrument_item}; allowed: "
                + ", ".join(prefix + key for key in instrument.item_keys),
            )
            continue
        key = item_code.removeprefix(prefix)
        if "valueInteger" not in component:
            read.problem(entry, f"component[{number}].value[x]", "allowed: valueInteger")
            continue
        if key in items:
            read.problem(entry, f"component[{number}].code", f"item {item_code} appears twice")
        items[key] = component["valueInteger"]
        item = next((i for i in instrument.items if i.key == key), None)
        if item is not None and component["valueInteger"] not in item.allowed:
            read.problem(
                entry,
                f"component[{number}].valueInteger",
                f"{item_code} value {component['valueInteger']!r} is not allowed; "
                f"allowed: {', '.join(str(v) for v in item.allowed)}",
            )
        read.origin[f"assessments[{index}].items.{key}"] = (
            f"{entry.label} component[{number}] ({item_code})"
        )
    total = entry.resource.get("valueInteger")
    if (
        total is not None
        and all(isinstance(v, int) for v in items.values())
        and set(items) == set(instrument.item_keys)
        and total != sum(items.values())
    ):
        read.problem(
            entry,
            "valueInteger",
            f"total {total} is not the sum of the items ({sum(items.values())})",
        )
    read.origin[f"assessments[{index}]"] = entry.label
    assessments.append({"instrument": instrument.code, "at": when, "items": items})


def _sedation(
    read: _Reader, entry: _Entry, scale: str, when: str, records: list[dict[str, Any]]
) -> None:
    resource = entry.resource
    system = SYSTEM.poss if scale == "POSS" else SYSTEM.rass
    level = _code_in(resource.get("valueCodeableConcept"), system)
    if level is None and scale == "RASS" and isinstance(resource.get("valueInteger"), int):
        level = str(resource["valueInteger"])
    if level is None:
        read.problem(
            entry,
            "value[x]",
            f"no {scale} level; allowed: valueCodeableConcept coded in {system}"
            + (" or valueInteger" if scale == "RASS" else ""),
        )
        return
    read.origin[f"sedation[{len(records)}]"] = f"{entry.label} value"
    records.append({"at": when, "scale": scale, "level": level})


def _vital(
    read: _Reader,
    entry: _Entry,
    owm_code: str | None,
    loinc: str | None,
    when: str,
    vitals: dict[str, dict[str, Any]],
) -> None:
    resource = entry.resource
    record = vitals.setdefault(when, {"_sources": {}})
    found: list[tuple[str, Any, str]] = []
    if owm_code == "supplemental-oxygen":
        if not isinstance(resource.get("valueBoolean"), bool):
            read.problem(entry, "value[x]", "allowed: valueBoolean (on supplemental oxygen)")
            return
        found.append(("oxygen", resource["valueBoolean"], "valueBoolean"))
    elif loinc == codes.CONSCIOUSNESS_LOINC[0]:
        answer = resource.get("valueCodeableConcept")
        level = _code_in(answer, SYSTEM.consciousness)
        if level is None:
            snomed = _code_in(answer, SNOMED)
            level = codes.CONSCIOUSNESS_FROM_SNOMED.get(str(snomed))
        if level is None:
            read.problem(
                entry,
                "valueCodeableConcept",
                f"no level of consciousness; allowed: a code of {SYSTEM.consciousness} or SNOMED CT "
                + ", ".join(codes.CONSCIOUSNESS_FROM_SNOMED),
            )
            return
        found.append(("consciousness", level, "valueCodeableConcept"))
    elif loinc == codes.BLOOD_PRESSURE_PANEL:
        for number, component in enumerate(resource.get("component", [])):
            if _code_in(component.get("code"), LOINC) == codes.VITALS["systolic_bp"][0]:
                found.append(
                    ("systolic_bp", component.get("valueQuantity"), f"component[{number}]")
                )
    else:
        for name, (code, _, _unit) in codes.VITALS.items():
            if loinc == code or (name == "spo2" and loinc in codes.SPO2_CODES):
                found.append((name, resource.get("valueQuantity"), "valueQuantity"))
    for name, value, element in found:
        if name in codes.VITALS:
            unit = codes.VITALS[name][2]
            measured = _quantity(read, entry, element, value, [unit])
            if measured is None:
                continue
            if name in _WHOLE:
                if measured != measured.to_integral_value():
                    read.problem(entry, element, f"{measured} is not a whole number")
                    continue
                value = int(measured)
            else:
                value = str(measured)
        if name in record:
            read.problem(entry, element, f"a second {name} at {when}; allowed: one per time")
            continue
        record[name] = value
        record["_sources"][name] = f"{entry.label} {element}"


def _medicine_name(concept: Any) -> tuple[str | None, str]:
    rxnorm = _code_in(concept, RXNORM)
    text = concept.get("text") if isinstance(concept, dict) else None
    display = next((c.get("display") for c in _codings(concept) if c.get("display")), None)
    name = (
        text or display or ingredient_name(rxnorm=rxnorm) or (f"RxNorm {rxnorm}" if rxnorm else "")
    )
    return rxnorm, str(name)


def _medication_concept(
    read: _Reader, entry: _Entry, urls: Mapping[str, _Entry]
) -> dict[str, Any] | None:
    resource = entry.resource
    if isinstance(resource.get("medicationCodeableConcept"), dict):
        concept: dict[str, Any] = resource["medicationCodeableConcept"]
        return concept
    reference = resource.get("medicationReference", {}).get("reference")
    target = urls.get(str(reference))
    if target is None and isinstance(reference, str) and reference.startswith("#"):
        target = next(
            (
                _Entry(entry.index, c)
                for c in resource.get("contained", [])
                if c.get("id") == reference[1:]
            ),
            None,
        )
    if target is None or target.resource.get("resourceType") != "Medication":
        read.problem(
            entry,
            "medication[x]",
            f"{reference!r} does not resolve to a Medication in the Bundle; "
            "allowed: medicationCodeableConcept or a reference to a Medication entry",
        )
        return None
    code = target.resource.get("code")
    return code if isinstance(code, dict) else {}


def _medications(
    read: _Reader, entries: list[_Entry], state: dict[str, Any], urls: Mapping[str, _Entry]
) -> None:
    medications: list[dict[str, Any]] = []
    for entry in entries:
        resource = entry.resource
        kind = resource["resourceType"]
        status = resource.get("status")
        if kind == "MedicationStatement":
            if status in ("entered-in-error", "not-taken"):
                read.ignore(entry, f"status {status}")
                continue
        elif status not in ("active", "on-hold", "completed", "stopped", "cancelled"):
            read.ignore(entry, f"status {status}: not a medicine the patient is or was on")
            continue
        concept = _medication_concept(read, entry, urls)
        if concept is None:
            continue
        rxnorm, name = _medicine_name(concept)
        if not name:
            read.problem(entry, "medication[x]", "neither text, display nor an RxNorm code")
            continue
        changed_at = None
        for extension in resource.get("extension", []):
            if isinstance(extension, dict) and extension.get("url") == EXT.changed_at:
                changed_at = _moment(
                    read, entry, "extension[medication-changed-at]", extension.get("valueDateTime")
                )
        if changed_at is None and kind == "MedicationStatement":
            period = resource.get("effectivePeriod")
            if isinstance(period, dict) and "start" in period:
                changed_at = _moment(read, entry, "effectivePeriod.start", period["start"])
        if changed_at is None and kind == "MedicationRequest" and "authoredOn" in resource:
            changed_at = _moment(read, entry, "authoredOn", resource["authoredOn"])
        owm_class = None
        for category in _concepts(resource.get("category")):
            owm_class = _code_in(category, SYSTEM.medication_class) or owm_class
        if owm_class is not None:
            classes = [owm_class]
        else:
            texts = " ".join(
                [str(concept.get("text", ""))]
                + [str(c.get("display", "")) for c in _codings(concept)]
            )
            found = classify(rxnorm=rxnorm, name=texts)
            classes = [c for c in CLASSES if c in found] or ["other"]
        for owm_class in classes:
            medication: dict[str, Any] = {
                "name": name[:200],
                "class": owm_class,
                "active": status == "active",
            }
            if changed_at is not None:
                medication["changed_at"] = changed_at
            if rxnorm is not None:
                medication["rxnorm"] = rxnorm
            read.origin[f"medications[{len(medications)}]"] = entry.label
            medications.append(medication)
    if medications:
        state["medications"] = medications


def _administrations(
    read: _Reader,
    entries: list[_Entry],
    provenances: list[_Entry],
    state: dict[str, Any],
    urls: Mapping[str, _Entry],
) -> None:
    charted: dict[int, str] = {}
    for provenance in provenances:
        recorded = provenance.resource.get("recorded")
        for target in provenance.resource.get("target", []):
            hit = urls.get(str(target.get("reference")))
            if hit is not None and hit.resource.get("resourceType") == "MedicationAdministration":
                moment = _moment(read, provenance, "recorded", recorded)
                if moment is not None and (hit.index not in charted or moment < charted[hit.index]):
                    charted[hit.index] = moment
    doses: list[dict[str, Any]] = []
    for entry in entries:
        resource = entry.resource
        status = resource.get("status")
        if status == "entered-in-error":
            read.ignore(entry, "status entered-in-error")
            continue
        concept = _medication_concept(read, entry, urls)
        if concept is None:
            continue
        drug = _code_in(concept, SYSTEM.administered_drug)
        if drug is None:
            rxnorm, name = _medicine_name(concept)
            texts = " ".join([name] + [str(c.get("display", "")) for c in _codings(concept)])
            drug = ingredient_name(rxnorm=rxnorm, name=texts)
            if drug not in ADMINISTERED_DRUGS:
                if "benzodiazepine" in classify(rxnorm=rxnorm, name=texts):
                    read.problem(
                        entry,
                        "medication[x]",
                        f"benzodiazepine {drug or name!r} cannot be recorded in owm-state/1; "
                        f"allowed: {', '.join(ADMINISTERED_DRUGS)}",
                    )
                else:
                    read.ignore(entry, f"{name!r} is not a medicine owm records doses of")
                continue
        outcome = _code_in(
            next(iter(_concepts(resource.get("statusReason"))), None), SYSTEM.outcome
        )
        if status == "not-done":
            if outcome not in (None, "refused"):
                read.problem(
                    entry, "statusReason", f"{outcome!r} with status not-done; allowed: refused"
                )
                continue
            outcome = "refused"
        elif status in ("completed", "in-progress"):
            if outcome == "refused":
                read.problem(
                    entry, "statusReason", f"refused with status {status}; allowed: not-done"
                )
                continue
            outcome = outcome or "given"
        else:
            read.problem(
                entry,
                "status",
                f"{status!r}: how much was taken is not known; "
                "allowed: completed, in-progress, not-done, entered-in-error",
            )
            continue
        when = _effective(read, entry)
        dosage: dict[str, Any] = resource.get("dosage") or {}
        amount = _quantity(read, entry, "dosage.dose", dosage.get("dose"), ["mg"])
        if when is None or amount is None:
            continue
        dose: dict[str, Any] = {"drug": drug, "dose_mg": str(amount)}
        route_concept = dosage.get("route")
        if route_concept is not None:
            route = _code_in(route_concept, SYSTEM.route)
            if route is None:
                snomed = _code_in(route_concept, SNOMED)
                route = next(
                    (k for k, (code, _) in codes.ROUTE_TO_SNOMED.items() if code == snomed), None
                )
            if route is None:
                read.problem(
                    entry,
                    "dosage.route",
                    "not a route owm knows; allowed: "
                    + ", ".join(
                        f"{k} (SNOMED CT {c})" for k, (c, _) in codes.ROUTE_TO_SNOMED.items()
                    ),
                )
                continue
            dose["route"] = route
        dose["at"] = when
        if entry.index in charted:
            dose["recorded_at"] = charted[entry.index]
        dose["outcome"] = outcome
        index = len(doses)
        read.origin[f"administrations[{index}]"] = entry.label
        read.origin[f"administrations[{index}].dose_mg"] = f"{entry.label} dosage.dose"
        read.origin[f"administrations[{index}].recorded_at"] = (
            f"{entry.label} (Provenance.recorded)"
        )
        doses.append(dose)
    if doses:
        state["administrations"] = doses


def _acknowledgements(read: _Reader, issues: list[_Entry], state: dict[str, Any]) -> None:
    acknowledgements: list[dict[str, Any]] = []
    for entry in issues:
        finding = _code_in(entry.resource.get("code"), SYSTEM.finding)
        mitigations = [
            (number, m)
            for number, m in enumerate(entry.resource.get("mitigation", []))
            if _code_in(m.get("action"), SYSTEM.mitigation) == "acknowledged"
        ]
        if not mitigations:
            continue
        if finding is None:
            read.problem(
                entry, "code", f"an acknowledgement needs a finding code of {SYSTEM.finding}"
            )
            continue
        for number, mitigation in mitigations:
            element = f"mitigation[{number}]"
            when = _moment(read, entry, f"{element}.date", mitigation.get("date"))
            by = (mitigation.get("author") or {}).get("display")
            reason = (mitigation.get("action") or {}).get("text")
            if not by:
                read.problem(entry, f"{element}.author.display", "missing; who acknowledged")
            if not reason:
                read.problem(entry, f"{element}.action.text", "missing; the reason recorded")
            if when is None or not by or not reason:
                continue
            read.origin[f"acknowledgements[{len(acknowledgements)}]"] = f"{entry.label} {element}"
            acknowledgements.append({"finding": finding, "by": by, "at": when, "reason": reason})
    if acknowledgements:
        state["acknowledgements"] = acknowledgements
