"""Who a FHIR Patient is in owm's terms: the medical record number and the name.

Why one place: `owm import` finds a returning patient by MRN, and the CDS Hooks
service links a card to owm's own page for the EHR's patient by the same
number; both must read `Patient.identifier` the same way, and neither may guess.

The MRN is the value of the identifier typed MR (HL7 v2 table 0203, "Medical
record number"); a Patient with no MR-typed identifier but exactly one
identifier is read by that one. Anything else (none, or several untyped ones)
has no MRN: linking a record to the wrong patient is worse than not linking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["IDENTIFIER_TYPE", "medical_record_number", "patient_name"]

IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
"""HL7 v2 table 0203 (identifier type); code MR is the medical record number."""


def _identifiers(patient: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = patient.get("identifier")
    if not isinstance(found, list):
        return []
    return [
        i
        for i in found
        if isinstance(i, Mapping) and isinstance(i.get("value"), str) and i["value"].strip()
    ]


def _is_mrn(identifier: Mapping[str, Any]) -> bool:
    kind = identifier.get("type")
    codings = kind.get("coding") if isinstance(kind, Mapping) else None
    return any(
        isinstance(c, Mapping) and c.get("system") == IDENTIFIER_TYPE and c.get("code") == "MR"
        for c in codings or []
    )


def medical_record_number(patient: Mapping[str, Any]) -> str | None:
    """The Patient's MRN (see the module docstring), or None when it has none or it is unclear."""
    identifiers = _identifiers(patient)
    typed = {str(i["value"]).strip() for i in identifiers if _is_mrn(i)}
    if typed:
        return typed.pop() if len(typed) == 1 else None
    values = {str(i["value"]).strip() for i in identifiers}
    return values.pop() if len(values) == 1 else None


def patient_name(patient: Mapping[str, Any]) -> str | None:
    """The Patient's name as one line: the official (else the first usable) HumanName's text,
    else its given names and family name. None when the Patient has no name."""
    names = [n for n in patient.get("name") or [] if isinstance(n, Mapping)]
    names.sort(key=lambda n: n.get("use") != "official")
    for name in names:
        text = name.get("text")
        if isinstance(text, str) and text.strip():
            return " ".join(text.split())
        given = [g for g in name.get("given") or [] if isinstance(g, str) and g.strip()]
        family = name.get("family")
        parts = [*given, *([family] if isinstance(family, str) and family.strip() else [])]
        if parts:
            return " ".join(" ".join(parts).split())
    return None
