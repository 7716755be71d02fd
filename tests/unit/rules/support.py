"""Build patient states for rule tests: the base vignette with a few changes.

Why: a rule test should read like a row of a table ("the last dose 5 h 59 min
ago: hold"), not like forty lines of JSON. Every case starts from the shared
base vignette (`01-base-give.json`: moderate withdrawal by day, normal
observations, a standard dose allowed) and changes only what the case is about.

Times in a case are written relative to the decision time with `ago(...)` or
`after(...)`; `build(at=...)` moves the whole base patient (every time in it) to
another decision time, so the same case can be asked at 21:59 and at 22:00 on
the ward, or across a daylight-saving change.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from owm.clinical import (
    Finding,
    PatientState,
    Protocol,
    Recommendation,
    default_protocol,
    evaluate,
    parse_state,
)
from owm.clinical.context import Context
from owm.clinical.instruments import COWS, SOWS

__all__ = [
    "BASE_AT",
    "VIGNETTES",
    "absolute",
    "ack",
    "after",
    "ago",
    "build",
    "codes",
    "context",
    "cows",
    "cows_items",
    "decide",
    "document",
    "dose",
    "med",
    "mg",
    "poss",
    "protocol_with",
    "rass",
    "side_effect",
    "sows",
    "symptom",
    "vitals",
]

VIGNETTES = Path(__file__).resolve().parents[2] / "data" / "vignettes"
BASE_FILE = VIGNETTES / "01-base-give.json"


def _base() -> dict[str, Any]:
    if not BASE_FILE.is_file():
        raise AssertionError(f"the base vignette {BASE_FILE} is missing: rule tests build on it")
    state: dict[str, Any] = json.loads(BASE_FILE.read_text(encoding="utf-8"))["state"]
    return state


BASE: dict[str, Any] = _base()
BASE_AT = datetime.fromisoformat(BASE["at"])

TIME_KEYS = frozenset({"at", "started_at", "last_drink_at", "changed_at", "recorded_at"})


@dataclass(frozen=True, slots=True)
class Rel:
    """A time relative to the decision time, resolved when the state is built."""

    delta: timedelta

    def resolve(self, at: datetime) -> str:
        return _iso(at + self.delta)


def ago(h: float = 0, m: float = 0, s: float = 0, d: float = 0) -> Rel:
    """That long before the decision time."""
    return Rel(-timedelta(days=d, hours=h, minutes=m, seconds=s))


def after(h: float = 0, m: float = 0, s: float = 0, d: float = 0) -> Rel:
    """That long after the decision time (records after it must be ignored)."""
    return Rel(timedelta(days=d, hours=h, minutes=m, seconds=s))


def absolute(when: Rel) -> str:
    """A relative time fixed at the base decision time (to ask about the same record later)."""
    return when.resolve(BASE_AT)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _when(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"decision time {value!r} has no time zone")
    return moment


def _shift(node: Any, by: timedelta) -> Any:
    if isinstance(node, dict):
        return {
            k: (_iso(datetime.fromisoformat(v) + by) if k in TIME_KEYS and v else _shift(v, by))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_shift(v, by) for v in node]
    return node


def _resolve(node: Any, at: datetime) -> Any:
    if isinstance(node, Rel):
        return node.resolve(at)
    if isinstance(node, dict):
        return {k: _resolve(v, at) for k, v in node.items() if v is not _DROP}
    if isinstance(node, list | tuple):
        return [_resolve(v, at) for v in node]
    return node


_DROP = object()
MERGED = frozenset({"patient", "alcohol", "ward", "episode"})


def document(*, at: datetime | str | None = None, **changes: Any) -> dict[str, Any]:
    """The base vignette's state moved to decision time `at`, with `changes` applied.

    - `patient=`, `alcohol=`, `ward=`, `episode=`: merged into the base part;
    - any other top-level key (`assessments=`, `administrations=`, ...): replaces it;
    - `add_<key>=[...]`: appended to the base list.
    """
    moment = _when(at) if at is not None else BASE_AT
    doc = _shift(copy.deepcopy(BASE), moment - BASE_AT)
    doc["at"] = _iso(moment)
    for key, value in changes.items():
        if key.startswith("add_"):
            doc[key[4:]] = [*doc[key[4:]], *value]
        elif key in MERGED:
            doc[key] = {**doc.get(key, {}), **value}
        else:
            doc[key] = value
    resolved: dict[str, Any] = _resolve(doc, moment)
    return resolved


def build(*, protocol: Protocol | None = None, **changes: Any) -> PatientState:
    """A parsed state (see `document`)."""
    return parse_state(document(**changes), protocol or default_protocol())


def context(*, protocol: Protocol | None = None, **changes: Any) -> Context:
    """The facts every rule reads, for a state (see `document`)."""
    chosen = protocol or default_protocol()
    return Context(build(protocol=chosen, **changes), chosen)


def decide(*, protocol: Protocol | None = None, **changes: Any) -> Recommendation:
    """The whole decision, exactly as `owm evaluate` makes it."""
    chosen = protocol or default_protocol()
    return evaluate(build(protocol=chosen, **changes), chosen)


Rule = Callable[[Context], Iterator[Finding]]


def codes(rule: Rule, *, protocol: Protocol | None = None, **changes: Any) -> list[str]:
    """The finding codes one rule reports for a state."""
    return [f.code for f in rule(context(protocol=protocol, **changes))]


def protocol_with(**values: Any) -> Protocol:
    """The shipped protocol with some values changed: `protocol_with(dosing__standard_mg="1")`."""
    data = default_protocol().model_dump(mode="json", by_alias=True)
    for dotted, value in values.items():
        *path, last = dotted.split("__")
        node = data
        for part in path:
            node = node[part]
        node[last] = value
    return Protocol.model_validate(data)


# -- records -------------------------------------------------------------------


def dose(
    when: Rel | str,
    mg: str = "0.5",
    *,
    outcome: str | None = None,
    drug: str = "clonazepam",
    recorded: Rel | str | None = None,
) -> dict[str, Any]:
    """One administration (clonazepam unless `drug` says otherwise)."""
    record: dict[str, Any] = {"drug": drug, "dose_mg": mg, "route": "oral", "at": when}
    if outcome is not None:
        record["outcome"] = outcome
    if recorded is not None:
        record["recorded_at"] = recorded
    return record


FILL_ORDER = (
    "resting_pulse",
    "pupil_size",
    "runny_nose_tearing",
    "gi_upset",
    "tremor",
    "yawning",
    "gooseflesh",
    "sweating",
    "bone_joint_aches",
    "restlessness",
    "anxiety_irritability",
)


def cows_items(total: int, **fixed: int) -> dict[str, int]:
    """COWS items summing to `total`: `fixed` items as given (by default anxiety 2, a
    target symptom, when the total allows), the rest filled with allowed values."""
    if not fixed and total >= 2:
        fixed = {"anxiety_irritability": 2 if total <= 46 else 4}
    items = {item.key: 0 for item in COWS.items}
    items.update(fixed)
    left = total - sum(fixed.values())
    # non-target items first, so that a total up to 35 adds no target symptom by chance
    order = [k for k in FILL_ORDER if k not in fixed]
    allowed = {item.key: sorted(item.allowed, reverse=True) for item in COWS.items}

    def fill(keys: list[str], left: int) -> dict[str, int] | None:
        if not keys:
            return {} if left == 0 else None
        if left > sum(allowed[k][0] for k in keys):
            return None
        for value in (v for v in allowed[keys[0]] if v <= left):
            rest = fill(keys[1:], left - value)
            if rest is not None:
                return {keys[0]: value, **rest}
        return None

    filled = fill(order, left) if left >= 0 else None
    if filled is None:
        raise ValueError(f"cannot make a COWS of {total} with {fixed}")
    items.update(filled)
    return items


def cows(when: Rel | str, total: int | None = None, **items: int) -> dict[str, Any]:
    """One COWS: a total (items filled in), or every item given."""
    if total is None:
        full = {item.key: 0 for item in COWS.items}
        full.update(items)
    else:
        full = cows_items(total, **items)
    return {"instrument": "COWS", "at": when, "items": full}


SOWS_ITEMS = SOWS.item_keys


def sows(when: Rel | str, **items: int) -> dict[str, Any]:
    """One SOWS: unnamed items 0."""
    return {"instrument": "SOWS", "at": when, "items": {k: items.get(k, 0) for k in SOWS_ITEMS}}


NORMAL_VITALS: Mapping[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 124,
    "pulse": 70,
    "consciousness": "alert",
    "temperature_c": "37.0",
}


def vitals(when: Rel | str, **values: Any) -> dict[str, Any]:
    """One set of vital signs: normal (NEWS2 0) unless changed; a value None leaves it out."""
    record = {"at": when, **NORMAL_VITALS, **values}
    return {k: v for k, v in record.items() if v is not None}


def poss(when: Rel | str, level: str) -> dict[str, Any]:
    return {"at": when, "scale": "POSS", "level": level}


def rass(when: Rel | str, level: str) -> dict[str, Any]:
    return {"at": when, "scale": "RASS", "level": level}


def med(
    name: str, class_: str, *, changed_at: Rel | str | None = None, active: bool = True
) -> dict[str, Any]:
    record: dict[str, Any] = {"name": name, "class": class_, "active": active}
    if changed_at is not None:
        record["changed_at"] = changed_at
    return record


def ack(code: str, when: Rel | str, *, by: str = "physician") -> dict[str, Any]:
    return {"finding": code, "by": by, "at": when, "reason": "reviewed at the bedside"}


def symptom(when: Rel | str, code: str) -> dict[str, Any]:
    return {"at": when, "code": code}


def side_effect(when: Rel | str, code: str) -> dict[str, Any]:
    return {"at": when, "code": code}


def mg(text: str) -> Decimal:
    return Decimal(text)
