"""owm's recommendation for a clonazepam order, from the EHR's FHIR data.

The resources of the call are put into one FHIR Bundle and read by
`owm.fhir.import_bundle` into an owm-state/1 at the decision time, then
`owm.clinical.evaluate` decides, exactly as `owm evaluate --fhir` would. What is
left out of the Bundle, and why:

- clonazepam orders and statements: owm's state holds clonazepam as the doses
  given (MedicationAdministration), not as a medicine the patient is on; the
  draft order is the question, not part of the answer;
- resources whose subject is another patient (`Patient/<other id>`);
- Patients other than the one in context, and Encounters other than the one in
  context (when the context names one);
- resource types the import does not read (Practitioner, Coverage, ...): they
  would only be validated and then ignored.

When the data cannot make a valid state (no Patient, no ward time zone, a dose
without mg ...), the problems are returned instead: the card then says owm could
not evaluate and why. Nothing is filled in or guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owm.cds.medicines import RXNORM, about_other_patient
from owm.cds.prefetch import Found
from owm.clinical import Protocol, Recommendation, evaluate
from owm.clinical.findings import iso
from owm.fhir import BundleError, import_bundle
from owm.fhir.importer import READ_TYPES
from owm.service.terminology import TERMINOLOGY

__all__ = ["READ_TYPES", "Evaluation", "evaluate_fhir"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """owm's answer, or why there is none."""

    recommendation: Recommendation | None
    problems: tuple[str, ...] = ()
    state: dict[str, Any] | None = None
    unmapped: tuple[str, ...] = ()
    """Active Conditions and allergies owm could not read (the card lists them)."""


def _is_clonazepam_medicine(resource: dict[str, Any]) -> bool:
    if resource.get("resourceType") not in ("MedicationRequest", "MedicationStatement"):
        return False
    concept = resource.get("medicationCodeableConcept")
    if not isinstance(concept, dict):
        return False
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    names = " ".join(
        [str(concept.get("text") or "")] + [str(c.get("display") or "") for c in codings]
    )
    codes = [str(c.get("code")) for c in codings if c.get("system") == RXNORM]
    return any(TERMINOLOGY.is_clonazepam(rxnorm=code, name=names) for code in codes) or (
        not codes and TERMINOLOGY.is_clonazepam(name=names)
    )


def _entries(found: Sequence[Found], patient_id: str, encounter_id: str | None) -> list[Any]:
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in found:
        resource = item.resource
        kind = resource.get("resourceType")
        if kind not in READ_TYPES:
            continue
        ident = resource.get("id")
        key = f"{kind}/{ident}" if ident else None
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        if kind == "Patient" and ident != patient_id:
            continue
        if kind == "Encounter" and encounter_id and ident != encounter_id:
            continue
        if kind == "MedicationRequest" and resource.get("status") == "draft":
            continue
        if about_other_patient(resource, patient_id) or _is_clonazepam_medicine(resource):
            continue
        entry: dict[str, Any] = {"resource": resource}
        if item.full_url:
            entry["fullUrl"] = item.full_url
        entries.append(entry)
    return entries


def evaluate_fhir(
    found: Sequence[Found],
    *,
    patient_id: str,
    encounter_id: str | None,
    at: datetime,
    protocol: Protocol,
    timezone: str | None,
) -> Evaluation:
    """owm's recommendation at `at` from the call's resources, or the problems that prevent one."""
    moment = iso(at.replace(microsecond=0))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": moment,
        "entry": _entries(found, patient_id, encounter_id),
    }
    try:
        result = import_bundle(
            bundle, protocol, terminology=TERMINOLOGY, at=moment, timezone=timezone
        )
    except BundleError as error:
        return Evaluation(None, tuple(error.problems))
    return Evaluation(
        evaluate(result.state, protocol), state=result.document, unmapped=result.unmapped
    )
