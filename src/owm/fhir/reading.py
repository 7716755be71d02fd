"""What every part of the Bundle reader shares: entries, problems, codes, times, quantities.

A problem names the resource (`Type/id (entry n)`), the element, the value and
what is allowed; `Reader.origin` remembers which resource each part of the state
came from, so that a problem the state model finds later can name it too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from owm.fhir.codes import UCUM
from owm.fhir.terms import Terminology

__all__ = [
    "ACTIVE_CLINICAL",
    "MOMENT",
    "REFUTED",
    "Entry",
    "Reader",
    "RecordSource",
    "clinically_active",
    "code_in",
    "codings",
    "concepts",
    "decimal_of",
    "effective_of",
    "moment_of",
    "quantity_of",
]

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ACTIVE_CLINICAL = {"active", "recurrence", "relapse"}
REFUTED = {"refuted", "entered-in-error"}


@dataclass
class Entry:
    index: int
    resource: dict[str, Any]
    full_url: str | None = None

    @property
    def label(self) -> str:
        kind = self.resource.get("resourceType", "?")
        ident = self.resource.get("id")
        return f"{kind}/{ident} (entry {self.index})" if ident else f"{kind} (entry {self.index})"

    @property
    def identity(self) -> str:
        """What names this resource across imports: its `fullUrl`, else `Type/id`, else
        a digest of its content (`sha256:...`)."""
        if self.full_url:
            return self.full_url
        kind = self.resource.get("resourceType", "?")
        ident = self.resource.get("id")
        if isinstance(ident, str) and ident:
            return f"{kind}/{ident}"
        text = json.dumps(self.resource, sort_keys=True, separators=(",", ":"), default=str)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RecordSource:
    """The resources one record of the state was read from (for a store that imports it)."""

    identities: tuple[str, ...]
    """`Entry.identity` of each resource, in Bundle order."""
    labels: tuple[str, ...]
    """`Entry.label` of each resource (for messages)."""
    at: str | None = None
    """The resource's own time, for records whose state entry has none (alcohol)."""


@dataclass
class Reader:
    terms: Terminology
    """The terminology medicines and conditions are read with (given by the caller)."""
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)
    sources: dict[str, RecordSource] = field(default_factory=dict)
    """State path of each record (`assessments[0]`, `alcohol.last_drink_at`) -> its resources."""
    unmapped: list[str] = field(default_factory=list)
    """Active Conditions and AllergyIntolerances owm could not map (also in `ignored`)."""
    unmapped_records: list[dict[str, str]] = field(default_factory=list)
    """The same, as `owm-state/1` `unmapped` records: the rules escalate them (spec section 8)."""

    def problem(self, entry: Entry | None, element: str, message: str) -> None:
        where = entry.label if entry is not None else "Bundle"
        self.problems.append(f"{where} {element}: {message}")

    def ignore(self, entry: Entry, why: str) -> None:
        self.ignored.append(f"{entry.label}: {why}")

    def not_mapped(
        self,
        entry: Entry,
        what: str,
        *,
        kind: str,
        code: str | None = None,
        system: str | None = None,
    ) -> None:
        """An active Condition or AllergyIntolerance whose codes owm does not read.

        It is never dropped: it goes into the state as an `unmapped` record, so the
        answer itself escalates unmapped-record and names it (clinical spec section 8).
        """
        line = f"{entry.label}: {what}"
        self.unmapped.append(line)
        self.ignored.append(f"{line}: no code owm reads; a clinician must check it")
        record = {"kind": kind, "text": f"{entry.label}: {what}"[:500]}
        if code:
            record["code"] = code[:100]
            if system:
                record["system"] = system[:500]
        self.record(f"unmapped[{len(self.unmapped_records)}]", entry)
        self.unmapped_records.append(record)

    def record(self, path: str, entry: Entry, at: str | None = None) -> None:
        """Remember that the state record at `path` was read (also) from `entry`."""
        known = self.sources.get(path)
        if known is None:
            self.sources[path] = RecordSource((entry.identity,), (entry.label,), at)
        elif entry.identity not in known.identities:
            self.sources[path] = RecordSource(
                (*known.identities, entry.identity), (*known.labels, entry.label), known.at or at
            )


def codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding", []) if isinstance(c, dict)]


def code_in(concept: Any, system: str) -> str | None:
    return next((c.get("code") for c in codings(concept) if c.get("system") == system), None)


def concepts(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def moment_of(read: Reader, entry: Entry, element: str, value: Any) -> str | None:
    if isinstance(value, str) and MOMENT.match(value):
        return value
    read.problem(
        entry,
        element,
        f"{value!r} is not a date and time with seconds and a time zone; "
        "allowed: e.g. 2026-11-25T14:00:00Z",
    )
    return None


def effective_of(read: Reader, entry: Entry) -> str | None:
    resource = entry.resource
    for element in ("effectiveDateTime", "effectiveInstant"):
        if element in resource:
            return moment_of(read, entry, element, resource[element])
    period = resource.get("effectivePeriod")
    if isinstance(period, dict) and "start" in period:
        return moment_of(read, entry, "effectivePeriod.start", period["start"])
    read.problem(entry, "effective[x]", "missing; allowed: effectiveDateTime with a time zone")
    return None


def decimal_of(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def quantity_of(
    read: Reader, entry: Entry, element: str, quantity: Any, units: Iterable[str]
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
    value = decimal_of(quantity["value"])
    if value is None:
        read.problem(entry, f"{element}.value", f"{quantity['value']!r} is not a number")
    return value


def clinically_active(entry: Entry) -> bool:
    resource = entry.resource
    clinical = resource.get("clinicalStatus")
    if clinical is not None:
        status = next((c.get("code") for c in codings(clinical)), None)
        if status not in ACTIVE_CLINICAL:
            return False
    verification = next((c.get("code") for c in codings(resource.get("verificationStatus"))), None)
    return verification not in REFUTED
