"""Observations of a Bundle: instruments, sedation, vital signs, symptoms, alcohol, weight.

Vital signs are read by their LOINC codes (several Observations at the same
`effectiveDateTime` make one set of vital signs; two values of one parameter at
the same time make two sets, which the core reads as it reads any same-time
records: each parameter at its worst, clinical spec section 8); owm's own codes for COWS, SOWS,
OOWS, POSS, RASS, supplemental oxygen, symptoms and side effects. A value in a
unit other than the one owm stores is an error, never converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from owm.clinical.instruments import INSTRUMENTS
from owm.fhir import codes
from owm.fhir.codes import LOINC, SNOMED, SYSTEM
from owm.fhir.reading import Entry, Reader, code_in, codings, effective_of, moment_of, quantity_of

__all__ = ["read_observations"]

_SKIPPED_OBSERVATION = {"entered-in-error", "cancelled", "registered"}
_PREGNANCY_ANSWERS = {
    (SNOMED, codes.PREGNANT[0]): True,
    (SNOMED, codes.NOT_PREGNANT[0]): False,
    (LOINC, "LA15173-0"): True,
    (LOINC, "LA26683-5"): False,
}
_WHOLE = {"respiratory_rate", "spo2", "systolic_bp", "pulse"}


_OWM_OBSERVATIONS = frozenset(
    {
        "POSS",
        "RASS",
        "supplemental-oxygen",
        "alcohol-last-drink",
        "breath-alcohol",
        "alcohol-none-reported",
    }
)
_LOINC_READ = frozenset(
    {code for code, _, _ in codes.VITALS.values()}
    | set(codes.SPO2_CODES)
    | {
        codes.BLOOD_PRESSURE_PANEL,
        codes.CONSCIOUSNESS_LOINC[0],
        codes.BODY_WEIGHT[0],
        codes.PREGNANCY_STATUS[0],
    }
)
"""The LOINC codes of the Observations owm reads."""

Latest = dict[str, tuple[str, Any, Entry, str]]
"""Patient facts where only the newest counts (weight, pregnancy, alcohol), by key:
(time, value, resource, element)."""


@dataclass
class _Read:
    """What the Observations of one Bundle give, gathered before they go into the state."""

    vitals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    latest: Latest = field(default_factory=dict)
    lists: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            "assessments": [],
            "sedation": [],
            "symptoms": [],
            "side_effects": [],
        }
    )


def _readable(read: Reader, entry: Entry) -> bool:
    """Whether the Observation has a value owm could read (otherwise it is listed as not read)."""
    resource = entry.resource
    if resource.get("status") in _SKIPPED_OBSERVATION:
        read.ignore(entry, f"status {resource.get('status')}")
        return False
    if "dataAbsentReason" in resource and not any(k.startswith("value") for k in resource):
        read.ignore(entry, "no value (dataAbsentReason)")
        return False
    return True


def read_observations(read: Reader, observations: list[Entry], state: dict[str, Any]) -> None:
    """Assessments, sedation, symptoms, side effects, vital signs and the patient facts."""
    found = _Read()
    for entry in observations:
        if not _readable(read, entry):
            continue
        concept = entry.resource.get("code")
        owm_code = code_in(concept, SYSTEM.observation)
        loinc = code_in(concept, LOINC)
        symptom = code_in(concept, SYSTEM.symptom)
        side_effect = code_in(concept, SYSTEM.side_effect)
        known = (
            owm_code in INSTRUMENTS
            or owm_code in _OWM_OBSERVATIONS
            or symptom
            or side_effect
            or loinc in _LOINC_READ
        )
        if not known:
            read.ignore(entry, "not an observation owm reads")
            continue
        when = effective_of(read, entry)
        if when is None:
            continue
        if owm_code in INSTRUMENTS:
            _assessment(read, entry, owm_code, when, found.lists["assessments"])
        elif owm_code in ("POSS", "RASS"):
            _sedation(read, entry, owm_code, when, found.lists["sedation"])
        elif symptom or side_effect:
            _reported(read, entry, when, symptom, side_effect, found.lists)
        elif not _patient_fact(read, entry, owm_code, loinc, when, found.latest):
            _vital(read, entry, owm_code, loinc, when, found.vitals)
    _put_patient_facts(read, found.latest, state)
    for key, records in found.lists.items():
        if records:
            state[key] = records
    _put_vitals(read, found.vitals, state)


def _reported(
    read: Reader,
    entry: Entry,
    when: str,
    symptom: str | None,
    side_effect: str | None,
    lists: dict[str, list[dict[str, Any]]],
) -> None:
    """A symptom or side effect reported present (one recorded absent is not read)."""
    key = "symptoms" if symptom else "side_effects"
    if entry.resource.get("valueBoolean") is False:
        read.ignore(entry, "recorded as absent")
        return
    read.origin[f"{key}[{len(lists[key])}]"] = f"{entry.label} code"
    read.record(f"{key}[{len(lists[key])}]", entry)
    lists[key].append({"at": when, "code": symptom or side_effect})


def _patient_fact(
    read: Reader,
    entry: Entry,
    owm_code: str | None,
    loinc: str | None,
    when: str,
    latest: Latest,
) -> bool:
    """Read a last drink, breath alcohol, weight or pregnancy status into `latest`;
    False when the Observation is none of these (a vital sign)."""
    resource = entry.resource
    if owm_code == "alcohol-last-drink":
        drink = moment_of(read, entry, "valueDateTime", resource.get("valueDateTime"))
        if drink is not None:
            _keep_latest(latest, "last_drink_at", when, drink, entry, "valueDateTime")
    elif owm_code == "alcohol-none-reported":
        if isinstance(resource.get("valueBoolean"), bool):
            _keep_latest(
                latest, "none_reported", when, resource["valueBoolean"], entry, "valueBoolean"
            )
        else:
            read.problem(entry, "value[x]", "allowed: valueBoolean (no drink reported)")
    elif owm_code == "breath-alcohol":
        value = quantity_of(read, entry, "valueQuantity", resource.get("valueQuantity"), ["mg/L"])
        if value is not None:
            _keep_latest(latest, "breath", when, value, entry, "valueQuantity")
    elif loinc == codes.BODY_WEIGHT[0]:
        value = quantity_of(read, entry, "valueQuantity", resource.get("valueQuantity"), ["kg"])
        if value is not None:
            _keep_latest(latest, "weight", when, value, entry, "valueQuantity")
    elif loinc == codes.PREGNANCY_STATUS[0]:
        found = [
            _PREGNANCY_ANSWERS[(str(c.get("system")), str(c.get("code")))]
            for c in codings(resource.get("valueCodeableConcept"))
            if (str(c.get("system")), str(c.get("code"))) in _PREGNANCY_ANSWERS
        ]
        if found:
            _keep_latest(latest, "pregnant", when, found[0], entry, "valueCodeableConcept")
        else:
            read.ignore(entry, "pregnancy status neither pregnant nor not pregnant")
    else:
        return False
    return True


def _put_patient_facts(read: Reader, latest: Latest, state: dict[str, Any]) -> None:
    """The newest weight and pregnancy status into `patient`, the newest alcohol into `alcohol`."""
    patient = state.setdefault("patient", {})
    if "weight" in latest:
        patient["weight_kg"] = str(latest["weight"][1])
        read.origin["patient.weight_kg"] = _where(latest["weight"])
    if "pregnant" in latest:
        patient["pregnant"] = latest["pregnant"][1]
        read.origin["patient.pregnant"] = _where(latest["pregnant"])
    alcohol: dict[str, Any] = {}
    if "last_drink_at" in latest:
        when, drink, entry, _ = latest["last_drink_at"]
        alcohol["last_drink_at"] = drink
        read.origin["alcohol.last_drink_at"] = _where(latest["last_drink_at"])
        read.record("alcohol.last_drink_at", entry, at=when)
    if "breath" in latest:
        when, breath, entry, _ = latest["breath"]
        alcohol["breath_alcohol_mg_l"] = str(breath)
        read.origin["alcohol.breath_alcohol_mg_l"] = _where(latest["breath"])
        read.record("alcohol.breath_alcohol_mg_l", entry, at=when)
    if "none_reported" in latest:
        when, reported, entry, _ = latest["none_reported"]
        alcohol["none_reported"] = reported
        read.origin["alcohol.none_reported"] = _where(latest["none_reported"])
        read.record("alcohol.none_reported", entry, at=when)
    if alcohol:
        state["alcohol"] = alcohol


def _put_vitals(
    read: Reader, vitals: dict[str, list[dict[str, Any]]], state: dict[str, Any]
) -> None:
    """The sets of vital signs (usually one per time), each value with its resource."""
    if not vitals:
        return
    state["vitals"] = []
    sets = [(when, values) for when, same_time in vitals.items() for values in same_time]
    for index, (when, values) in enumerate(sets):
        sources = values.pop("_sources")
        for name, source in sources.items():
            read.origin[f"vitals[{index}].{name}"] = source
        for entry in values.pop("_entries"):
            read.record(f"vitals[{index}]", entry)
        state["vitals"].append({"at": when, **values})


def _where(kept: tuple[str, Any, Entry, str]) -> str:
    return f"{kept[2].label} {kept[3]}"


def _keep_latest(
    latest: Latest,
    key: str,
    when: str,
    value: Any,
    entry: Entry,
    element: str,
) -> None:
    moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if key not in latest or moment >= datetime.fromisoformat(latest[key][0].replace("Z", "+00:00")):
        latest[key] = (when, value, entry, element)


def _assessment(
    read: Reader, entry: Entry, code: str, when: str, assessments: list[dict[str, Any]]
) -> None:
    instrument = INSTRUMENTS[code]
    items: dict[str, Any] = {}
    index = len(assessments)
    for number, component in enumerate(entry.resource.get("component", [])):
        item_code = code_in(component.get("code"), SYSTEM.instrument_item)
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
    read.record(f"assessments[{index}]", entry)
    assessments.append({"instrument": instrument.code, "at": when, "items": items})


def _sedation(
    read: Reader, entry: Entry, scale: str, when: str, records: list[dict[str, Any]]
) -> None:
    resource = entry.resource
    system = SYSTEM.poss if scale == "POSS" else SYSTEM.rass
    level = code_in(resource.get("valueCodeableConcept"), system)
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
    read.record(f"sedation[{len(records)}]", entry)
    records.append({"at": when, "scale": scale, "level": level})


def _vital(
    read: Reader,
    entry: Entry,
    owm_code: str | None,
    loinc: str | None,
    when: str,
    vitals: dict[str, list[dict[str, Any]]],
) -> None:
    """The vital signs of one Observation, into the set of vital signs taken at `when`."""
    found = _vital_values(read, entry, owm_code, loinc)
    same_time = vitals.setdefault(when, [])
    for name, given, element in found:
        value = _measured(read, entry, name, given, element) if name in codes.VITALS else given
        if value is None:
            continue
        record = next((r for r in same_time if name not in r), None)
        if record is None:  # a second value at the same time: a second set (section 8)
            record = {"_sources": {}, "_entries": []}
            same_time.append(record)
        record[name] = value
        record["_sources"][name] = f"{entry.label} {element}"
        record["_entries"].append(entry)


def _vital_values(
    read: Reader, entry: Entry, owm_code: str | None, loinc: str | None
) -> list[tuple[str, Any, str]]:
    """(name, value as given, element) of each vital sign the Observation holds."""
    resource = entry.resource
    if owm_code == "supplemental-oxygen":
        if not isinstance(resource.get("valueBoolean"), bool):
            read.problem(entry, "value[x]", "allowed: valueBoolean (on supplemental oxygen)")
            return []
        return [("oxygen", resource["valueBoolean"], "valueBoolean")]
    if loinc == codes.CONSCIOUSNESS_LOINC[0]:
        level = _consciousness(resource.get("valueCodeableConcept"))
        if level is None:
            read.problem(
                entry,
                "valueCodeableConcept",
                f"no level of consciousness; allowed: a code of {SYSTEM.consciousness} or SNOMED CT "
                + ", ".join(codes.CONSCIOUSNESS_FROM_SNOMED),
            )
            return []
        return [("consciousness", level, "valueCodeableConcept")]
    if loinc == codes.BLOOD_PRESSURE_PANEL:
        return [
            ("systolic_bp", component.get("valueQuantity"), f"component[{number}]")
            for number, component in enumerate(resource.get("component", []))
            if code_in(component.get("code"), LOINC) == codes.VITALS["systolic_bp"][0]
        ]
    return [
        (name, resource.get("valueQuantity"), "valueQuantity")
        for name, (code, _, _unit) in codes.VITALS.items()
        if loinc == code or (name == "spo2" and loinc in codes.SPO2_CODES)
    ]


def _consciousness(answer: Any) -> str | None:
    """The level of consciousness in owm's code system, or from its SNOMED CT code."""
    level = code_in(answer, SYSTEM.consciousness)
    if level is None:
        level = codes.CONSCIOUSNESS_FROM_SNOMED.get(str(code_in(answer, SNOMED)))
    return level


def _measured(read: Reader, entry: Entry, name: str, given: Any, element: str) -> Any:
    """A measured vital sign in its unit (whole numbers where the chart has them), or None."""
    measured = quantity_of(read, entry, element, given, [codes.VITALS[name][2]])
    if measured is None:
        return None
    if name not in _WHOLE:
        return str(measured)
    if measured != measured.to_integral_value():
        read.problem(entry, element, f"{measured} is not a whole number")
        return None
    return int(measured)
