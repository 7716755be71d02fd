"""SNOMED CT and ICD-10 condition codes read as owm's conditions, history, allergies and pregnancy.

Why: an EHR codes a sleep apnoea or a sedative use disorder in SNOMED CT or
ICD-10, never in owm's own code system; a contraindication coded that way must
not be missed. The codes and where each was checked are data
(`data/conditions.json`, see its `sources`); this module only reads them.

`targets(system, code)` answers what a coding means in owm-state/1:
`condition:<code>`, `history:<code>`, `allergy:<code>` or `pregnant`. An ICD
code listed with `descendants` also covers every code below it (by prefix; the
dot is ignored, so `G4733` is `G47.33`). A code that is not listed means
nothing: the caller must say that it did not read it (never drop it silently).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from owm.clinical.state import ALLERGIES, CONDITIONS, HISTORY

__all__ = [
    "NAMES",
    "SYSTEMS",
    "ConditionCode",
    "ConditionCodes",
    "concept_targets",
    "condition_codes",
    "targets",
]

DATA = Path(__file__).parent / "data" / "conditions.json"

SYSTEMS: Mapping[str, str] = {
    "snomed": "http://snomed.info/sct",
    "icd-10": "http://hl7.org/fhir/sid/icd-10",
    "icd-10-cm": "http://hl7.org/fhir/sid/icd-10-cm",
}
"""The code systems read, by their short names in the data file."""

NAMES: Mapping[str, str] = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
}


@dataclass(frozen=True, slots=True)
class ConditionCode:
    owm: str
    system: str
    """The code system URI."""
    code: str
    display: str
    descendants: bool
    source: str


def _normal(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _valid_target(target: str) -> bool:
    kind, _, code = target.partition(":")
    allowed = {"condition": CONDITIONS, "history": HISTORY, "allergy": ALLERGIES}
    return target == "pregnant" or code in allowed.get(kind, ())


class ConditionCodes:
    """The loaded mapping: exact codes and prefixes per system."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        sources = document["sources"]
        self.codes: list[ConditionCode] = []
        self._exact: dict[tuple[str, str], set[str]] = {}
        self._prefixes: dict[str, list[tuple[str, str]]] = {}
        for row in document["mappings"]:
            system = SYSTEMS[row["system"]]
            if not _valid_target(row["owm"]):
                raise ValueError(f"conditions.json: {row['owm']!r} is not an owm-state/1 code")
            if row["source"] not in sources:
                raise ValueError(
                    f"conditions.json: {row['code']}: unknown source {row['source']!r}"
                )
            entry = ConditionCode(
                row["owm"],
                system,
                row["code"],
                row["display"],
                bool(row["descendants"]),
                row["source"],
            )
            self.codes.append(entry)
            key = _normal(entry.code)
            self._exact.setdefault((system, key), set()).add(entry.owm)
            if entry.descendants:
                self._prefixes.setdefault(system, []).append((key, entry.owm))

    def targets(self, system: str | None, code: str | None) -> frozenset[str]:
        if not system or not isinstance(code, str) or not code.strip():
            return frozenset()
        key = _normal(code)
        found = set(self._exact.get((system, key), ()))
        found.update(t for prefix, t in self._prefixes.get(system, ()) if key.startswith(prefix))
        return frozenset(found)


@cache
def condition_codes() -> ConditionCodes:
    """The shipped mapping, loaded once per process."""
    return ConditionCodes(json.loads(DATA.read_text(encoding="utf-8")))


def targets(system: str | None, code: str | None) -> frozenset[str]:
    """What a coding means in owm-state/1 (empty when owm does not read it)."""
    return condition_codes().targets(system, code)


def concept_targets(codings: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The owm meanings of every coding of a concept, together."""
    found: set[str] = set()
    for coding in codings:
        found |= targets(coding.get("system"), coding.get("code"))
    return frozenset(found)
