"""Reading records at a moment: the latest ones, and which counts when several share it.

Source: clinical spec section 7 (latest = greatest `at` not after the decision
time) and section 8, "Same-time records": several records of one kind with the
same latest `at` are all read, and the most severe counts:

- POSS 4 > 3 > 2 > 1 = S;
- RASS: the lowest for the sedation rules, the highest for agitation;
- vital signs: each parameter takes the value with the highest NEWS2 score (on a
  tie, the lower value; for consciousness, the less responsive level), and the
  merged set is complete when every parameter is present in one of them;
- withdrawal scores: the highest total.

Why: a nurse who charts POSS "S" and, at the same minute, a colleague's POSS "4"
must never get the less severe one by accident of sorting. The FHIR reader and
the ward's charts read records by these same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar

from owm.clinical.instruments import News2Result, news2, news2_points
from owm.clinical.state import Assessment, Sedation, VitalSigns
from owm.clinical.vocab import CONSCIOUSNESS

__all__ = [
    "VITAL_PARAMETERS",
    "VitalValues",
    "highest_total",
    "latest_group",
    "merge_vitals",
    "most_severe_poss",
    "news2_of",
    "spo2_scale_for",
]

_R = TypeVar("_R")

VITAL_PARAMETERS: tuple[str, ...] = (
    "respiratory_rate",
    "spo2",
    "oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature_c",
)
_POSS_RANK = {"S": 0, "1": 0, "2": 2, "3": 3, "4": 4}


def latest_group(records: Iterable[_R], at: datetime) -> tuple[_R, ...]:
    """Every record with the greatest `at` not after `at` (empty when there is none)."""
    best: datetime | None = None
    group: list[_R] = []
    for record in records:
        moment: datetime = getattr(record, "at")  # noqa: B009 - records of several kinds
        if moment > at:
            continue
        if best is None or moment > best:
            best, group = moment, [record]
        elif moment == best:
            group.append(record)
    return tuple(group)


def most_severe_poss(records: Sequence[Sedation]) -> Sedation | None:
    """The most severe POSS of records taken at one moment (4 > 3 > 2 > 1 = S)."""
    poss = [r for r in records if r.scale == "POSS"]
    return max(poss, key=lambda r: (_POSS_RANK[r.level], r.level)) if poss else None


def highest_total(records: Sequence[Assessment]) -> Assessment | None:
    """The assessment with the highest total among those taken at one moment."""
    return max(records, key=lambda a: (a.total, sorted(a.items.items()))) if records else None


def spo2_scale_for(conditions: Iterable[str]) -> Literal[1, 2]:
    """SpO2 scale 2 for hypercapnic respiratory failure (RCP NEWS2), scale 1 otherwise."""
    return 2 if "hypercapnic-respiratory-failure" in conditions else 1


def _worse(parameter: str, values: list[Any], scale: Literal[1, 2], oxygen: bool) -> Any:
    if parameter == "consciousness":
        return max(values, key=CONSCIOUSNESS.index)
    if parameter == "oxygen":
        return any(values)

    def severity(value: Any) -> tuple[int, Decimal]:
        points = news2_points(parameter, value, spo2_scale=scale, oxygen=oxygen)
        return points, -Decimal(str(value))

    return max(values, key=severity)


def merge_vitals(records: Sequence[VitalSigns], scale: Literal[1, 2] = 1) -> VitalSigns | None:
    """One set from sets taken at the same moment: each parameter at its worst value."""
    if not records:
        return None
    if len(records) == 1:
        return records[0]
    oxygens = [r.oxygen for r in records if r.oxygen is not None]
    oxygen = any(oxygens)
    merged: dict[str, Any] = {"at": records[0].at}
    for parameter in VITAL_PARAMETERS:
        values = [getattr(r, parameter) for r in records if getattr(r, parameter) is not None]
        merged[parameter] = _worse(parameter, values, scale, oxygen) if values else None
    return VitalSigns.model_construct(**merged)


class VitalValues(Protocol):
    """Anything that carries the seven NEWS2 parameters (a state's set, a ward record)."""

    @property
    def respiratory_rate(self) -> int | None: ...
    @property
    def spo2(self) -> int | None: ...
    @property
    def oxygen(self) -> bool | None: ...
    @property
    def systolic_bp(self) -> int | None: ...
    @property
    def pulse(self) -> int | None: ...
    @property
    def consciousness(self) -> str | None: ...
    @property
    def temperature_c(self) -> Decimal | None: ...


def news2_of(vitals: VitalValues | None, scale: Literal[1, 2] = 1) -> News2Result | None:
    """NEWS2 of one set of vital signs, or None when the set is not complete (section 7).

    The ward's charts score each charted set with this, so a chart never scores a set
    differently from the decision."""
    if vitals is None:
        return None
    rr, spo2, oxygen = vitals.respiratory_rate, vitals.spo2, vitals.oxygen
    systolic, pulse, level = vitals.systolic_bp, vitals.pulse, vitals.consciousness
    temperature = vitals.temperature_c
    if (
        rr is None
        or spo2 is None
        or oxygen is None
        or systolic is None
        or pulse is None
        or level is None
        or temperature is None
    ):
        return None
    return news2(
        respiratory_rate=rr,
        spo2=spo2,
        oxygen=oxygen,
        systolic_bp=systolic,
        pulse=pulse,
        consciousness=level,
        temperature_c=temperature,
        spo2_scale=scale,
    )
