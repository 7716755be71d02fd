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
code or name through the terminology the caller passes (`owm.fhir.terms`; several
classes give one state medicine
per class; none gives class "other"), MedicationRequest as well as
MedicationStatement, the age from `Patient.birthDate`, an allergy to any
benzodiazepine as the `benzodiazepines` allergy. Two things have no standard
place and must come from the Bundle or the caller: the decision time
(`Bundle.timestamp` or `at=`) and the ward's time zone (the owm extension on the
Encounter or `timezone=`).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from owm.clinical import vocab
from owm.clinical.protocol import Protocol
from owm.clinical.state import PatientState, StateError, parse_state
from owm.fhir import codes
from owm.fhir.codes import EXT, RXNORM, SYSTEM
from owm.fhir.read_medicines import read_administrations, read_medications
from owm.fhir.read_observations import read_observations
from owm.fhir.reading import (
    MOMENT,
    Entry,
    Reader,
    RecordSource,
    clinically_active,
    code_in,
    codings,
    moment_of,
)
from owm.fhir.terms import Terminology

__all__ = ["READ_TYPES", "BundleError", "ImportResult", "import_bundle"]


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
    sources: Mapping[str, RecordSource] = field(default_factory=dict)
    """Each record of `document` (`assessments[0]`, `vitals[1]`, `alcohol.last_drink_at`,
    ...) -> the resources it was read from, so a store can import it once."""
    patient: Mapping[str, Any] | None = None
    """The Patient resource the state is about."""
    encounter: Mapping[str, Any] | None = None
    """The Encounter the episode was read from (None when the Bundle has none)."""
    bundle_timezone: str | None = None
    """The ward time zone the Bundle itself gives (owm's Encounter extension), if any."""
    unmapped: tuple[str, ...] = ()
    """Active Conditions and AllergyIntolerances owm has no code for (each also in `ignored`):
    a clinician must look at them, since owm decided without them."""


VALID_CACHE_SIZE = 20_000
"""Resources remembered as valid (by a digest of their content) per process."""


class _ValidCache:
    """Digests of resources that passed validation: a resource is valid or not by its
    content alone, so the CDS Hooks service, which sees the same chart on every call,
    validates each resource once instead of on every call (answers stay identical)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(resource: Mapping[str, Any]) -> bytes | None:
        try:
            text = json.dumps(resource, sort_keys=True, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(text.encode()).digest()

    def __contains__(self, key: bytes) -> bool:
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return True
            return False

    def add(self, key: bytes) -> None:
        with self._lock:
            self._seen[key] = None
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)


_VALID = _ValidCache(VALID_CACHE_SIZE)


def _validate(read: Reader, entries: list[Entry]) -> None:
    """Structural validation of each resource with fhir.resources' R4B models."""
    for entry in entries:
        key = _ValidCache.digest(entry.resource)
        if key is not None and key in _VALID:
            continue
        before = len(read.problems)
        _validate_one(read, entry)
        if key is not None and len(read.problems) == before:
            _VALID.add(key)


def _validate_one(read: Reader, entry: Entry) -> None:
    kind = entry.resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError):
        read.problem(entry, "resourceType", f"{kind!r} is not a FHIR R4 resource type")
        return
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


def _age_at(birth: str, at: str, zone: str | None) -> int | None:
    """Whole years of age on the ward's local date of `at` (UTC date when no zone is known)."""
    try:
        born = date.fromisoformat(birth)
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        when = moment.astimezone(ZoneInfo(zone)).date() if zone else moment.date()
    except (ValueError, TypeError, ZoneInfoNotFoundError):
        when = moment.date()  # the state model names the bad time zone
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def _entries(read: Reader, document: Any) -> tuple[list[Entry], dict[str, Entry]]:
    """The Bundle's entries, and each by its fullUrl and by type/id (for references)."""
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        kind = document.get("resourceType") if isinstance(document, dict) else type(document)
        raise BundleError([f"(document) resourceType: {kind!r} is not allowed; allowed: 'Bundle'"])
    raw_entries = document.get("entry", [])
    if not isinstance(raw_entries, list):
        raise BundleError(["Bundle entry: must be a list of entries"])
    entries: list[Entry] = []
    urls: dict[str, Entry] = {}
    for index, raw in enumerate(raw_entries):
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if not isinstance(resource, dict):
            read.problem(None, f"entry[{index}].resource", "missing; every entry needs a resource")
            continue
        url = raw.get("fullUrl")
        entry = Entry(index, resource, url if isinstance(url, str) and url else None)
        entries.append(entry)
        if isinstance(raw.get("fullUrl"), str):
            urls[raw["fullUrl"]] = entry
        if resource.get("id"):
            urls[f"{resource.get('resourceType')}/{resource['id']}"] = entry
    return entries, urls


def _decision_time(
    read: Reader, document: dict[str, Any], at: str | None, state: dict[str, Any]
) -> None:
    """The decision time: `at` when the caller gives one, else `Bundle.timestamp`."""
    decision_time = at if at is not None else (document.get("timestamp") or None)
    if decision_time is None:
        read.problem(None, "timestamp", "missing; the decision time is Bundle.timestamp")
    elif not (isinstance(decision_time, str) and MOMENT.match(decision_time)):
        read.problem(None, "timestamp", f"{decision_time!r} needs seconds and a time zone")
    else:
        state["at"] = decision_time


def _protocol_tag(document: dict[str, Any], state: dict[str, Any]) -> None:
    """The protocol the Bundle names in `meta.tag`, if any."""
    meta = document.get("meta")
    tags = meta.get("tag", []) if isinstance(meta, dict) else []
    for tag in tags:
        if isinstance(tag, dict) and tag.get("system") == SYSTEM.protocol:
            state["protocol"] = tag.get("code")


def import_bundle(
    document: Any,
    protocol: Protocol,
    *,
    terminology: Terminology,
    at: str | None = None,
    timezone: str | None = None,
) -> ImportResult:
    """Read a FHIR R4 Bundle into an owm-state/1 document and validate it.

    `terminology` classifies medicines and reads condition codes
    (`owm.terminology.TERMINOLOGY` is the shipped one).

    Raises BundleError naming every problem (resource, element, value, allowed);
    never returns a partly read state.
    """
    read = Reader(terminology)
    entries, urls = _entries(read, document)
    _validate(read, entries)
    if read.problems:
        raise BundleError(read.problems)
    state: dict[str, Any] = {"format": "owm-state/1"}
    _decision_time(read, document, at, state)
    _protocol_tag(document, state)

    def of_type(kind: str) -> list[Entry]:
        return [e for e in entries if e.resource.get("resourceType") == kind]

    patients = of_type("Patient")
    encounter = _encounter(read, of_type("Encounter"), state, timezone)
    _patient(read, patients, state)
    pregnancy: list[Entry] = []
    _conditions(read, of_type("Condition"), state, pregnancy)
    _allergies(read, of_type("AllergyIntolerance"), state)
    read_observations(read, of_type("Observation"), state)
    _pregnancy(read, pregnancy, state)
    medicines = of_type("MedicationStatement") + of_type("MedicationRequest")
    read_medications(read, sorted(medicines, key=lambda e: e.index), state, urls)
    read_administrations(
        read, of_type("MedicationAdministration"), of_type("Provenance"), state, urls
    )
    _acknowledgements(read, of_type("DetectedIssue"), state)
    _unmapped(read, of_type("Basic"))
    if read.unmapped_records:
        state["unmapped"] = read.unmapped_records
    for entry in entries:
        if entry.resource.get("resourceType") not in READ_TYPES:
            read.ignore(entry, "owm does not read this resource type")
    if read.problems:
        raise BundleError(read.problems)
    try:
        parsed = parse_state(state, protocol)
    except StateError as error:
        raise BundleError([_locate(problem, read.origin) for problem in error.problems]) from None
    zone = state.get("ward", {}).get("timezone") if "ward.timezone" in read.origin else None
    return ImportResult(
        document=state,
        state=parsed,
        ignored=tuple(read.ignored),
        sources=dict(read.sources),
        patient=patients[0].resource if len(patients) == 1 else None,
        encounter=encounter.resource if encounter is not None else None,
        bundle_timezone=zone,
        unmapped=tuple(read.unmapped),
    )


READ_TYPES = frozenset(
    {
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
        "Basic",
    }
)
"""The resource types the reader reads (every other type is listed as not read)."""


def _locate(problem: str, origin: Mapping[str, str]) -> str:
    """Prefix a state problem with the resource and element it was read from."""
    path = problem.split(": ", 1)[0]
    best = ""
    for key in origin:
        if (path == key or path.startswith((key + ".", key + "["))) and len(key) > len(best):
            best = key
    return f"{origin[best]} -> {problem}" if best else problem


def _patient(read: Reader, patients: list[Entry], state: dict[str, Any]) -> None:
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
        if gender not in vocab.SEXES:  # FHIR AdministrativeGender is owm's own list
            read.problem(
                entry, "gender", f"{gender!r} is not allowed; allowed: {', '.join(vocab.SEXES)}"
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
        zone = state.get("ward", {}).get("timezone")
        years = _age_at(birth, state["at"], zone) if "at" in state else None
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
    read: Reader, encounters: list[Entry], state: dict[str, Any], timezone: str | None
) -> Entry | None:
    """Read the episode and the ward's time zone; the Encounter read, if any."""
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
            return None
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
            started = moment_of(read, entry, "period.start", period["start"])
            setting = None
            for concept in resource.get("type", []):
                setting = code_in(concept, SYSTEM.setting) or setting
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
        return chosen[0] if chosen else None
    state["ward"] = {"timezone": zone}
    return chosen[0] if chosen else None


def _first_code(concept: Any) -> dict[str, str | None]:
    """The first coding's code and system, for an unmapped record."""
    for coding in codings(concept):
        if coding.get("code"):
            return {"code": str(coding.get("code")), "system": str(coding.get("system") or "")}
    return {}


def described(terms: Terminology, concept: Any) -> str:
    """A concept as a person reads it: its text and each coding (system, code, display)."""
    text = concept.get("text") if isinstance(concept, dict) else None
    parts = []
    for coding in codings(concept):
        system = str(coding.get("system") or "no system")
        name = terms.system_name(system)
        display = coding.get("display")
        parts.append(f"{name} {coding.get('code')}" + (f" {display!r}" if display else ""))
    head = repr(text) if isinstance(text, str) and text.strip() else ""
    if parts:
        return f"{head} ({'; '.join(parts)})".strip()
    return head or "no code and no text"


def _add(read: Reader, entry: Entry, patient: dict[str, Any], key: str, code: str) -> None:
    items = patient.setdefault(key, [])
    if code not in items:
        read.origin[f"patient.{key}[{len(items)}]"] = f"{entry.label} code"
        items.append(code)


def _apply(
    read: Reader,
    entry: Entry,
    patient: dict[str, Any],
    found: frozenset[str],
    pregnancy: list[Entry],
) -> None:
    """Put the owm meanings of a clinically active resource into the state."""
    for target in sorted(found):
        kind, _, code = target.partition(":")
        if target == "pregnant":
            pregnancy.append(entry)
        elif kind == "condition":
            _add(read, entry, patient, "conditions", code)
        elif kind == "history":
            _add(read, entry, patient, "history", code)
        elif kind == "allergy":
            _add(read, entry, patient, "allergies", code)


def _conditions(
    read: Reader, conditions: list[Entry], state: dict[str, Any], pregnancy: list[Entry]
) -> None:
    """owm's own condition and history codes, and the SNOMED CT / ICD-10 codes that mean them.

    An active Condition owm cannot map is listed (`Reader.not_mapped`), never dropped silently.
    """
    patient = state.setdefault("patient", {})
    for entry in conditions:
        concept = entry.resource.get("code")
        condition = code_in(concept, SYSTEM.condition)
        history = code_in(concept, SYSTEM.history)
        found: frozenset[str]
        if condition is not None or history is not None:
            found = frozenset([f"condition:{condition}"] if condition else [f"history:{history}"])
        else:
            found = read.terms.condition_targets(codings(concept))
        active = clinically_active(entry)
        if not found:
            if active:
                read.not_mapped(
                    entry, described(read.terms, concept), kind="condition", **_first_code(concept)
                )
            else:
                read.ignore(entry, "not clinically active")
            continue
        if not active:
            read.ignore(entry, "not clinically active")
            continue
        _apply(read, entry, patient, found, pregnancy)


def _allergies(read: Reader, allergies: list[Entry], state: dict[str, Any]) -> None:
    patient = state.setdefault("patient", {})
    for entry in allergies:
        concept = entry.resource.get("code")
        code = code_in(concept, SYSTEM.allergy)
        found = (
            frozenset([f"allergy:{code}"])
            if code
            else read.terms.condition_targets(codings(concept))
        )
        if not found:
            text = " ".join(
                [str(concept.get("text", "")) if isinstance(concept, dict) else ""]
                + [str(c.get("display", "")) for c in codings(concept)]
            )
            rxnorm = code_in(concept, RXNORM)
            if "benzodiazepine" in read.terms.classify(rxnorm=rxnorm, name=text) or re.search(
                r"\bbenzodiazepines?\b", text, re.IGNORECASE
            ):
                found = frozenset(["allergy:benzodiazepines"])
        active = clinically_active(entry)
        if not found:
            if active:
                read.not_mapped(
                    entry, described(read.terms, concept), kind="allergy", **_first_code(concept)
                )
            else:
                read.ignore(entry, "not clinically active")
            continue
        if not active:
            read.ignore(entry, "not clinically active")
            continue
        _apply(read, entry, patient, found, [])


def _pregnancy(read: Reader, conditions: list[Entry], state: dict[str, Any]) -> None:
    """An active pregnancy Condition makes the patient pregnant, unless an Observation says
    not pregnant: then the Bundle contradicts itself and owm does not choose."""
    if not conditions:
        return
    patient = state.setdefault("patient", {})
    if patient.get("pregnant") is False:
        read.problem(
            conditions[0],
            "code",
            f"an active pregnancy Condition, but {read.origin.get('patient.pregnant', 'an Observation')} "
            "says not pregnant; allowed: one answer (resolve the Condition, or record the "
            "pregnancy status again)",
        )
        return
    if "pregnant" not in patient:
        read.origin["patient.pregnant"] = f"{conditions[0].label} code"
    patient["pregnant"] = True


def _unmapped(read: Reader, entries: list[Entry]) -> None:
    """owm's own `Basic` records of what an earlier import could not map: read back as
    unmapped records, so they keep escalating (clinical spec section 8)."""
    for entry in entries:
        resource = entry.resource
        if code_in(resource.get("code"), SYSTEM.record) != "unmapped-record":
            read.ignore(entry, "a Basic resource owm does not read")
            continue
        values = {
            e.get("url"): e.get("valueCode") or e.get("valueString")
            for e in resource.get("extension", [])
            if isinstance(e, dict)
        }
        kind, text = values.get(EXT.unmapped_kind), values.get(EXT.unmapped_text)
        if not kind or not text:
            read.problem(entry, "extension", "an unmapped record needs its kind and text")
            continue
        record: dict[str, str] = {"kind": kind, "text": text}
        identifier = (resource.get("identifier") or [{}])[0]
        if identifier.get("value"):
            record["code"] = identifier["value"]
            if identifier.get("system"):
                record["system"] = identifier["system"]
        read.origin[f"unmapped[{len(read.unmapped_records)}]"] = entry.label
        read.record(f"unmapped[{len(read.unmapped_records)}]", entry)
        read.unmapped_records.append(record)


def _acknowledgements(read: Reader, issues: list[Entry], state: dict[str, Any]) -> None:
    acknowledgements: list[dict[str, Any]] = []
    for entry in issues:
        finding = code_in(entry.resource.get("code"), SYSTEM.finding)
        mitigations = [
            (number, m)
            for number, m in enumerate(entry.resource.get("mitigation", []))
            if code_in(m.get("action"), SYSTEM.mitigation) == "acknowledged"
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
            when = moment_of(read, entry, f"{element}.date", mitigation.get("date"))
            by = (mitigation.get("author") or {}).get("display")
            reason = (mitigation.get("action") or {}).get("text")
            if not by:
                read.problem(entry, f"{element}.author.display", "missing; who acknowledged")
            if not reason:
                read.problem(entry, f"{element}.action.text", "missing; the reason recorded")
            if when is None or not by or not reason:
                continue
            if by != "physician":
                # Only a physician acknowledges (clinical spec section 8); a name does not say
                # the role, so the acknowledgement is not counted and the escalation stands.
                read.ignore(
                    entry,
                    f"{element}: acknowledgement by {by!r} not counted; only one whose author "
                    "is the role 'physician' counts",
                )
                continue
            read.origin[f"acknowledgements[{len(acknowledgements)}]"] = f"{entry.label} {element}"
            read.record(f"acknowledgements[{len(acknowledgements)}]", entry)
            acknowledgements.append({"finding": finding, "by": by, "at": when, "reason": reason})
    if acknowledgements:
        state["acknowledgements"] = acknowledgements
