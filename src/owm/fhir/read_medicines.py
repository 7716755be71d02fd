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
        text or display or read.terms.ingredient_name(rxnorm=rxnorm) or (f"RxNorm {rxnorm}" if rxnorm else "")
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


def read_medications(
    read: Reader, entries: list[Entry], state: dict[str, Any], urls: Mapping[str, Entry]
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
        rxnorm, name = _medicine_name(read, concept)
        if not name:
            read.problem(entry, "medication[x]", "neither text, display nor an RxNorm code")
            continue
        changed_at = None
        for extension in resource.get("extension", []):
            if isinstance(extension, dict) and extension.get("url") == EXT.changed_at:
                changed_at = moment_of(
                    read, entry, "extension[medication-changed-at]", extension.get("valueDateTime")
                )
        if changed_at is None and kind == "MedicationStatement":
            period = resource.get("effectivePeriod")
            if isinstance(period, dict) and "start" in period:
                changed_at = moment_of(read, entry, "effectivePeriod.start", period["start"])
        if changed_at is None and kind == "MedicationRequest" and "authoredOn" in resource:
            changed_at = moment_of(read, entry, "authoredOn", resource["authoredOn"])
        owm_class = None
        for category in concepts(resource.get("category")):
            owm_class = code_in(category, SYSTEM.medication_class) or owm_class
        if owm_class is not None:
            classes = [owm_class]
        else:
            texts = " ".join(
                [str(concept.get("text", ""))]
                + [str(c.get("display", "")) for c in codings(concept)]
            )
            found = read.terms.classify(rxnorm=rxnorm, name=texts)
            classes = [c for c in read.terms.classes if c in found] or ["other"]
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
            read.record(f"medications[{len(medications)}]", entry)
            medications.append(medication)
    if medications:
        state["medications"] = medications


def read_administrations(
    read: Reader,
    entries: list[Entry],
    provenances: list[Entry],
    state: dict[str, Any],
    urls: Mapping[str, Entry],
) -> None:
    charted: dict[int, str] = {}
    for provenance in provenances:
        recorded = provenance.resource.get("recorded")
        for target in provenance.resource.get("target", []):
            hit = urls.get(str(target.get("reference")))
            if hit is not None and hit.resource.get("resourceType") == "MedicationAdministration":
                moment = moment_of(read, provenance, "recorded", recorded)
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
        drug = code_in(concept, SYSTEM.administered_drug)
        if drug is None:
            rxnorm, name = _medicine_name(read, concept)
            texts = " ".join([name] + [str(c.get("display", "")) for c in codings(concept)])
            drug = read.terms.ingredient_name(rxnorm=rxnorm, name=texts)
            if drug not in ADMINISTERED_DRUGS:
                if "benzodiazepine" in read.terms.classify(rxnorm=rxnorm, name=texts):
                    read.problem(
                        entry,
                        "medication[x]",
                        f"benzodiazepine {drug or name!r} cannot be recorded in owm-state/1; "
                        f"allowed: {', '.join(ADMINISTERED_DRUGS)}",
                    )
                else:
                    read.ignore(entry, f"{name!r} is not a medicine owm records doses of")
                continue
        outcome = code_in(next(iter(concepts(resource.get("statusReason"))), None), SYSTEM.outcome)
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
        when = effective_of(read, entry)
        dosage: dict[str, Any] = resource.get("dosage") or {}
        amount = quantity_of(read, entry, "dosage.dose", dosage.get("dose"), ["mg"])
        if when is None or amount is None:
            continue
        dose: dict[str, Any] = {"drug": drug, "dose_mg": str(amount)}
        route_concept = dosage.get("route")
        if route_concept is not None:
            route = code_in(route_concept, SYSTEM.route)
            if route is None:
                snomed = code_in(route_concept, SNOMED)
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
        read.record(f"administrations[{index}]", entry)
        read.origin[f"administrations[{index}].dose_mg"] = f"{entry.label} dosage.dose"
        read.origin[f"administrations[{index}].recorded_at"] = (
            f"{entry.label} (Provenance.recorded)"
        )
        doses.append(dose)
    if doses:
        state["administrations"] = doses
