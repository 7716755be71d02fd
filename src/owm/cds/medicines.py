"""The medicines of a CDS Hooks call: draft orders, current medicines, their classes and doses.

Classes come from owm's terminology (`owm.service.terminology`: RxNorm code first,
then the names in the coding displays and text), never from a list kept here. What counts:

- a draft order: a MedicationRequest in `context.draftOrders`; in `order-select`
  the ones named in `context.selections` are the ones being decided (all of them
  when the selections name none of them);
- a current medicine: a MedicationRequest or MedicationStatement with status
  `active`, whatever its dates (the conformance cases' dates are fixed in the past);
- each order or medicine once: resources are told apart by type and id (the
  same order sent twice, or in both `draftOrders` and `prefetch`, counts once;
  a draft wins over its prefetched copy), or by their content when they have no id.

A draft's dose is read in mg from its first dose quantity: mg directly, or a
count of tablets/capsules times the strength in the RxNorm display ("0.5 MG").
Anything else is "dose not given" and is said so; a dose is never guessed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from owm.cds.prefetch import Found, resources_in
from owm.clinical.concurrency import MOUD_INGREDIENTS
from owm.service.terminology import TERMINOLOGY

__all__ = [
    "MOUD",
    "Medicine",
    "MedicineSet",
    "about_other_patient",
    "dose_mg",
    "read_medicines",
]

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MOUD = MOUD_INGREDIENTS
"""Medicines for opioid use disorder: owm never suggests stopping or cancelling them."""

_MEDICINE_TYPES = ("MedicationRequest", "MedicationStatement")
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*MG\b(?!\s*/)", re.IGNORECASE)
_UNITS = {"tablet", "tab", "{tablet}", "{tbl}", "capsule", "cap", "{capsule}", "{cap}"}


@dataclass(frozen=True, slots=True)
class Medicine:
    """One medicine order or statement, classified."""

    key: str
    """`Type/id`, or a digest of the content when the resource has no id."""
    resource_type: str
    resource_id: str | None
    name: str
    ingredient: str | None
    classes: frozenset[str]
    status: str | None
    draft: bool
    resource: Mapping[str, Any] = field(compare=False, repr=False)

    @property
    def label(self) -> str:
        """The ingredient when known, else the name the EHR gave."""
        return self.ingredient or self.name

    @property
    def is_opioid(self) -> bool:
        return "opioid" in self.classes

    @property
    def is_benzodiazepine(self) -> bool:
        return "benzodiazepine" in self.classes

    @property
    def is_clonazepam(self) -> bool:
        return self.ingredient == "clonazepam"

    @property
    def is_moud(self) -> bool:
        return self.ingredient in MOUD

    @property
    def current(self) -> bool:
        return not self.draft and self.status == "active"


@dataclass(frozen=True, slots=True)
class MedicineSet:
    """The drafts being decided, the other drafts, and the current medicines (each once)."""

    triggers: tuple[Medicine, ...]
    other_drafts: tuple[Medicine, ...]
    current: tuple[Medicine, ...]

    @property
    def drafts(self) -> tuple[Medicine, ...]:
        return self.triggers + self.other_drafts


def about_other_patient(resource: Mapping[str, Any], patient_id: str) -> bool:
    """Whether the resource's subject (or patient) is `Patient/<another id>`."""
    for name in ("subject", "patient"):
        reference = resource.get(name)
        target = reference.get("reference") if isinstance(reference, dict) else None
        if isinstance(target, str) and target.startswith("Patient/"):
            return target.removeprefix("Patient/") != patient_id
    return False


def _key(resource: Mapping[str, Any]) -> str:
    kind = str(resource.get("resourceType"))
    ident = resource.get("id")
    if isinstance(ident, str) and ident:
        return f"{kind}/{ident}"
    digest = hashlib.sha256(
        json.dumps(resource, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()[:16]
    return f"{kind}#{digest}"


def _concept(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any]:
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        return concept
    reference = resource.get("medicationReference")
    target = reference.get("reference") if isinstance(reference, dict) else None
    if isinstance(target, str):
        if target.startswith("#"):
            for contained in resource.get("contained") or []:
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    code = contained.get("code")
                    return code if isinstance(code, dict) else {}
        medication = medications.get(target) or medications.get(target.rsplit("/", 1)[-1])
        if medication is not None:
            code = medication.get("code")
            return code if isinstance(code, dict) else {}
    return {}


def _classify(concept: Mapping[str, Any]) -> tuple[str, str | None, frozenset[str]]:
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    codes = [str(c["code"]) for c in codings if c.get("system") == RXNORM and c.get("code")]
    names = [str(concept["text"])] if isinstance(concept.get("text"), str) else []
    names += [str(c["display"]) for c in codings if isinstance(c.get("display"), str)]
    text = " ".join(names)
    classes: frozenset[str] = frozenset()
    ingredient = None
    for code in codes:
        classes |= TERMINOLOGY.classify(rxnorm=code, name=text or None)
        ingredient = ingredient or TERMINOLOGY.ingredient_name(rxnorm=code, name=text or None)
    if not codes:
        classes = TERMINOLOGY.classify(name=text) if text else frozenset()
        ingredient = TERMINOLOGY.ingredient_name(name=text) if text else None
    name = names[0] if names else (f"RxNorm {codes[0]}" if codes else "unnamed medicine")
    return name, ingredient, classes


def _medicine(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], draft: bool
) -> Medicine:
    name, ingredient, classes = _classify(_concept(resource, medications))
    ident = resource.get("id")
    status = resource.get("status")
    return Medicine(
        key=_key(resource),
        resource_type=str(resource.get("resourceType")),
        resource_id=ident if isinstance(ident, str) and ident else None,
        name=name,
        ingredient=ingredient,
        classes=classes,
        status=status if isinstance(status, str) else None,
        draft=draft,
        resource=resource,
    )


def _medication_index(found: Iterable[Found]) -> dict[str, Mapping[str, Any]]:
    index: dict[str, Mapping[str, Any]] = {}
    for item in found:
        resource = item.resource
        if resource.get("resourceType") != "Medication":
            continue
        if isinstance(resource.get("id"), str):
            index[f"Medication/{resource['id']}"] = resource
        if item.full_url:
            index[item.full_url] = resource
    return index


def read_medicines(
    found: Sequence[Found],
    draft_orders: Mapping[str, Any] | None,
    selections: Sequence[str] | None,
    *,
    hook: str,
    patient_id: str,
) -> MedicineSet:
    """Classify the draft orders and current medicines of a call, each counted once."""
    drafts_found = list(resources_in(draft_orders)) if draft_orders else []
    index = _medication_index([*found, *drafts_found])
    drafts: dict[str, Medicine] = {}
    for item in drafts_found:
        if item.resource.get("resourceType") == "MedicationRequest":
            medicine = _medicine(item.resource, index, draft=True)
            drafts.setdefault(medicine.key, medicine)
    current: dict[str, Medicine] = {}
    for item in found:
        if item.resource.get("resourceType") not in _MEDICINE_TYPES:
            continue
        if about_other_patient(item.resource, patient_id):
            continue
        medicine = _medicine(item.resource, index, draft=False)
        if medicine.key in drafts or not medicine.current:
            continue
        current.setdefault(medicine.key, medicine)
    chosen = set(selections or ()) if hook == "order-select" else set()
    if not chosen.intersection(drafts):
        chosen = set()  # selections that name no draft order: decide on all of them
    triggers = [m for m in drafts.values() if not chosen or m.key in chosen]
    others = [m for m in drafts.values() if chosen and m.key not in chosen]
    return MedicineSet(tuple(triggers), tuple(others), tuple(current.values()))


def dose_mg(order: Mapping[str, Any]) -> Decimal | None:
    """The single dose of a MedicationRequest in mg, or None when it does not say one in mg."""
    dosage = order.get("dosageInstruction")
    first = dosage[0] if isinstance(dosage, list) and dosage else None
    rates = first.get("doseAndRate") if isinstance(first, dict) else None
    rate = rates[0] if isinstance(rates, list) and rates else None
    quantity = rate.get("doseQuantity") if isinstance(rate, dict) else None
    if not isinstance(quantity, dict) or isinstance(quantity.get("value"), bool):
        return None
    try:
        value = Decimal(str(quantity.get("value")))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0:
        return None
    unit = str(quantity.get("code") or quantity.get("unit") or "").lower()
    if unit == "mg":
        return value
    if unit in _UNITS:
        concept = order.get("medicationCodeableConcept")
        codings = concept.get("coding") if isinstance(concept, dict) else None
        for coding in codings or []:
            match = (
                _STRENGTH.search(str(coding.get("display", "")))
                if isinstance(coding, dict)
                else None
            )
            if match:
                return value * Decimal(match.group(1))
    return None
