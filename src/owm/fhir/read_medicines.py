"""Medicines of a Bundle: MedicationStatement / MedicationRequest and MedicationAdministration.

A medicine without owm's class coding is classified by the terminology the caller
gave (`Reader.terms`: RxNorm code first, then the names): one state medicine per class, "other" when none. A
dose must name a drug the state format records (clonazepam, a companion
medicine, another benzodiazepine it lists): any other benzodiazepine is an
error (its dose would count as a CNS depressant), any other medicine is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from owm.clinical.state import ADMINISTERED_DRUGS
from owm.fhir import codes
from owm.fhir.codes import EXT, RXNORM, SNOMED, SYSTEM
from owm.fhir.reading import (
    Entry,
    Reader,
    code_in,
    codings,
    concepts,
    effective_of,
    moment_of,
    quantity_of,
)

__all__ = ["read_administrations", "read_medications"]


def _medicine_name(read: Reader, concept: Any) -> tuple[str | None, str]:
    rxnorm = code_in(concept, RXNORM)
    text = concept.get("text") if isinstance(concept, dict) else None
    display = next((c.get("display") for c in codings(concept) if c.get("display")), None)
    name = (
        text
        or display
        or read.terms.ingredient_name(rxnorm=rxnorm)
        or (f"RxNorm {rxnorm}" if rxnorm else "")
    )
    return rxnorm, str(name)


def _medication_concept(
    read: Reader, entry: Entry, urls: Mapping[str, Entry]
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
                Entry(entry.index, c)
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


def _current_or_past(read: Reader, entry: Entry) -> bool:
    """Whether a MedicationStatement / MedicationRequest is a medicine the patient is or was on."""
    status = entry.resource.get("status")
    if entry.resource["resourceType"] == "MedicationStatement":
        if status in ("entered-in-error", "not-taken"):
            read.ignore(entry, f"status {status}")
            return False
    elif status not in ("active", "on-hold", "completed", "stopped", "cancelled"):
        read.ignore(entry, f"status {status}: not a medicine the patient is or was on")
        return False
    return True


def _classified_by(entry: Entry) -> str | None:
    """owm's extension: the role who chose the class of a medicine owm does not know."""
    for extension in entry.resource.get("extension", []):
        if isinstance(extension, dict) and extension.get("url") == EXT.classified_by:
            value = extension.get("valueCode")
            return str(value) if value is not None else None
    return None


def _changed_at(read: Reader, entry: Entry) -> str | None:
    """When the medicine was started or changed: owm's extension, else the period's start
    (a statement) or the authoring time (a request)."""
    resource = entry.resource
    changed_at = None
    for extension in resource.get("extension", []):
        if isinstance(extension, dict) and extension.get("url") == EXT.changed_at:
            changed_at = moment_of(
                read, entry, "extension[medication-changed-at]", extension.get("valueDateTime")
            )
    kind = resource["resourceType"]
    if changed_at is None and kind == "MedicationStatement":
        period = resource.get("effectivePeriod")
        if isinstance(period, dict) and "start" in period:
            changed_at = moment_of(read, entry, "effectivePeriod.start", period["start"])
    if changed_at is None and kind == "MedicationRequest" and "authoredOn" in resource:
        changed_at = moment_of(read, entry, "authoredOn", resource["authoredOn"])
    return changed_at


def _classes(read: Reader, entry: Entry, concept: dict[str, Any], rxnorm: str | None) -> list[str]:
    """owm's class coding when the resource has one; else the terminology's classes, or "other"."""
    owm_class = None
    for category in concepts(entry.resource.get("category")):
        owm_class = code_in(category, SYSTEM.medication_class) or owm_class
    if owm_class is not None:
        return [owm_class]
    texts = " ".join(
        [str(concept.get("text", ""))] + [str(c.get("display", "")) for c in codings(concept)]
    )
    found = read.terms.classify(rxnorm=rxnorm, name=texts)
    return [c for c in read.terms.classes if c in found] or ["other"]


def read_medications(
    read: Reader, entries: list[Entry], state: dict[str, Any], urls: Mapping[str, Entry]
) -> None:
    """The medicines the patient is or was on: one state medicine per class."""
    medications: list[dict[str, Any]] = []
    for entry in entries:
        if not _current_or_past(read, entry):
            continue
        concept = _medication_concept(read, entry, urls)
        if concept is None:
            continue
        rxnorm, name = _medicine_name(read, concept)
        if not name:
            read.problem(entry, "medication[x]", "neither text, display nor an RxNorm code")
            continue
        changed_at = _changed_at(read, entry)
        for owm_class in _classes(read, entry, concept, rxnorm):
            medication: dict[str, Any] = {
                "name": name[:200],
                "class": owm_class,
                "active": entry.resource.get("status") == "active",
            }
            if changed_at is not None:
                medication["changed_at"] = changed_at
            if rxnorm is not None:
                medication["rxnorm"] = rxnorm
            classified_by = _classified_by(entry)
            if classified_by is not None:
                medication["classified_by"] = classified_by
            read.origin[f"medications[{len(medications)}]"] = entry.label
            read.record(f"medications[{len(medications)}]", entry)
            medications.append(medication)
    if medications:
        state["medications"] = medications


def _charted_times(
    read: Reader, provenances: list[Entry], urls: Mapping[str, Entry]
) -> dict[int, str]:
    """When each MedicationAdministration was charted (its earliest Provenance), by entry."""
    charted: dict[int, str] = {}
    for provenance in provenances:
        recorded = provenance.resource.get("recorded")
        for target in provenance.resource.get("target", []):
            hit = urls.get(str(target.get("reference")))
            if hit is not None and hit.resource.get("resourceType") == "MedicationAdministration":
                moment = moment_of(read, provenance, "recorded", recorded)
                if moment is not None and (hit.index not in charted or moment < charted[hit.index]):
                    charted[hit.index] = moment
    return charted


def _administered_drug(read: Reader, entry: Entry, concept: dict[str, Any]) -> str | None:
    """The drug given, as the state format names it; None (with a problem or a note of what
    was not read) for any other medicine."""
    drug = code_in(concept, SYSTEM.administered_drug)
    if drug is not None:
        return drug
    rxnorm, name = _medicine_name(read, concept)
    texts = " ".join([name] + [str(c.get("display", "")) for c in codings(concept)])
    drug = read.terms.ingredient_name(rxnorm=rxnorm, name=texts)
    if drug in ADMINISTERED_DRUGS:
        return drug
    if "benzodiazepine" in read.terms.classify(rxnorm=rxnorm, name=texts):
        read.problem(
            entry,
            "medication[x]",
            f"benzodiazepine {drug or name!r} cannot be recorded in owm-state/1; "
            f"allowed: {', '.join(ADMINISTERED_DRUGS)}",
        )
    else:
        read.ignore(entry, f"{name!r} is not a medicine owm records doses of")
    return None


def _outcome(read: Reader, entry: Entry, status: Any) -> str | None:
    """given, partial, vomited or refused, from the status and owm's status reason."""
    resource = entry.resource
    outcome = code_in(next(iter(concepts(resource.get("statusReason"))), None), SYSTEM.outcome)
    if status == "not-done":
        if outcome not in (None, "refused"):
            read.problem(
                entry, "statusReason", f"{outcome!r} with status not-done; allowed: refused"
            )
            return None
        return "refused"
    if status in ("completed", "in-progress"):
        if outcome == "refused":
            read.problem(entry, "statusReason", f"refused with status {status}; allowed: not-done")
            return None
        return outcome or "given"
    read.problem(
        entry,
        "status",
        f"{status!r}: how much was taken is not known; "
        "allowed: completed, in-progress, not-done, entered-in-error",
    )
    return None


def _route(read: Reader, entry: Entry, route_concept: Any) -> str | None:
    """The route in owm's code system, or from its SNOMED CT code; None with a problem."""
    route = code_in(route_concept, SYSTEM.route)
    if route is None:
        snomed = code_in(route_concept, SNOMED)
        route = next((k for k, (code, _) in codes.ROUTE_TO_SNOMED.items() if code == snomed), None)
    if route is None:
        read.problem(
            entry,
            "dosage.route",
            "not a route owm knows; allowed: "
            + ", ".join(f"{k} (SNOMED CT {c})" for k, (c, _) in codes.ROUTE_TO_SNOMED.items()),
        )
    return route


def read_administrations(
    read: Reader,
    entries: list[Entry],
    provenances: list[Entry],
    state: dict[str, Any],
    urls: Mapping[str, Entry],
) -> None:
    """The doses of the drugs the state format records, with when each was charted."""
    charted = _charted_times(read, provenances, urls)
    doses: list[dict[str, Any]] = []
    holds: list[dict[str, Any]] = []
    for entry in entries:
        resource = entry.resource
        status = resource.get("status")
        if status == "entered-in-error":
            read.ignore(entry, "status entered-in-error")
            continue
        if status == "on-hold":
            _hold(read, entry, holds)
            continue
        concept = _medication_concept(read, entry, urls)
        drug = _administered_drug(read, entry, concept) if concept is not None else None
        outcome = _outcome(read, entry, status) if drug is not None else None
        if drug is None or outcome is None:
            continue
        when = effective_of(read, entry)
        dosage: dict[str, Any] = resource.get("dosage") or {}
        amount = quantity_of(read, entry, "dosage.dose", dosage.get("dose"), ["mg"])
        if when is None or amount is None:
            continue
        dose: dict[str, Any] = {"drug": drug, "dose_mg": str(amount)}
        if dosage.get("route") is not None:
            route = _route(read, entry, dosage["route"])
            if route is None:
                continue
            dose["route"] = route
        dose["at"] = when
        if entry.index in charted:
            dose["recorded_at"] = charted[entry.index]
        dose["outcome"] = outcome
        index = len(doses)
        read.origin[f"administrations[{index}]"] = entry.label
        read.record(f"administrations[{index}]", entry)
        read.origin[f"administrations[{index}].dose_mg"] = f"{entry.label} dosage.dose"
        read.origin[f"administrations[{index}].recorded_at"] = (
            f"{entry.label} (Provenance.recorded)"
        )
        doses.append(dose)
    if doses:
        state["administrations"] = doses
    if holds:
        state["holds"] = holds


def _hold(read: Reader, entry: Entry, holds: list[dict[str, Any]]) -> None:
    """A MedicationAdministration on hold: a nurse's hold of the dose, with its reason."""
    when = effective_of(read, entry)
    reasons = [
        str(c.get("text") or "").strip() for c in concepts(entry.resource.get("statusReason"))
    ]
    reason = next((r for r in reasons if r), None)
    if reason is None:
        read.problem(entry, "statusReason", "a dose on hold needs its reason as text")
        return
    if when is None:
        return
    read.origin[f"holds[{len(holds)}]"] = entry.label
    read.record(f"holds[{len(holds)}]", entry)
    holds.append({"at": when, "reason": reason})
