"""Clinical entries nurses record: scores, vital signs, sedation, symptoms, side effects,
alcohol. Each has an input (what the nurse charted) and an output (the entry as stored)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field, StrictBool, StrictInt

from owm.api.schemas.common import DecimalIn, EntryOut, LongText, RecordInput, codes
from owm.clinical.instruments import INSTRUMENTS, POSS, RASS
from owm.clinical.protocol import CONSCIOUSNESS  # vocab: consciousness levels
from owm.clinical.state import SIDE_EFFECTS, SYMPTOMS

__all__ = [
    "AlcoholIn",
    "AlcoholOut",
    "AssessmentIn",
    "AssessmentOut",
    "SedationIn",
    "SedationOut",
    "SideEffectIn",
    "SideEffectOut",
    "SymptomIn",
    "SymptomOut",
    "VitalSignsIn",
    "VitalSignsOut",
]

Measurement = Annotated[StrictInt, Field(ge=0, le=1000)]


class AssessmentIn(RecordInput):
    """A COWS, SOWS or OOWS with every item scored, or `unable_reason` and no items."""

    instrument: str = codes(tuple(INSTRUMENTS))
    items: dict[str, StrictInt] | None = Field(
        default=None,
        max_length=40,
        description="Every item of the instrument by name, e.g. COWS resting_pulse, sweating, ...",
    )
    unable_reason: LongText | None = Field(
        default=None, description="Why it could not be assessed (then no items)."
    )


class AssessmentOut(EntryOut):
    instrument: str
    items: dict[str, int] | None
    total: int | None
    unable_reason: str | None
    band: str | None = None


class VitalSignsIn(RecordInput):
    """One set of vital signs; any value may be missing, but not all of them."""

    respiratory_rate: Measurement | None = None
    spo2: Measurement | None = None
    oxygen: StrictBool | None = None
    systolic_bp: Measurement | None = None
    pulse: Measurement | None = None
    consciousness: str | None = codes(CONSCIOUSNESS, default=None)
    temperature_c: DecimalIn | None = None


class VitalSignsOut(EntryOut):
    respiratory_rate: int | None
    spo2: int | None
    oxygen: bool | None
    systolic_bp: int | None
    pulse: int | None
    consciousness: str | None
    temperature_c: Decimal | None


class SedationIn(RecordInput):
    """A POSS level ("S", "1".."4") or a RASS level ("-5".."4"), as text."""

    scale: str = codes(("POSS", "RASS"))
    level: str = codes(
        tuple(dict.fromkeys((*POSS.allowed, *RASS.allowed))),
        description="POSS: S, 1-4; RASS: -5 to 4 (a leading + is accepted).",
    )


class SedationOut(EntryOut):
    scale: str
    level: str


class SymptomIn(RecordInput):
    code: str = codes(SYMPTOMS)
    note: LongText | None = None


class SymptomOut(EntryOut):
    code: str
    note: str | None


class SideEffectIn(RecordInput):
    code: str = codes(SIDE_EFFECTS)
    note: LongText | None = None


class SideEffectOut(EntryOut):
    code: str
    note: str | None


class AlcoholIn(RecordInput):
    """When the patient last drank (as reported) and/or a breath alcohol reading in mg/L."""

    last_drink_at: AwareDatetime | None = None
    breath_alcohol_mg_l: DecimalIn | None = None


class AlcoholOut(EntryOut):
    last_drink_at: datetime | None
    breath_alcohol_mg_l: Decimal | None
