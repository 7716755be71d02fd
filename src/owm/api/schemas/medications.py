"""Medicines the patient takes (their class drives the interaction findings)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

from owm.api.schemas.common import EntryOut, Input, RecordInput, ShortText, codes
from owm.clinical.state import MEDICATION_CLASSES

__all__ = ["MedicationChangeIn", "MedicationIn", "MedicationOut", "MedicationStopIn"]


class MedicationIn(RecordInput):
    """A medicine the patient takes, from `at` (when started; default now)."""

    name: ShortText = Field(min_length=1)
    med_class: str = codes(MEDICATION_CLASSES)
    rxnorm: Annotated[str, Field(max_length=12, pattern=r"^[0-9]{1,12}$")] | None = None
    dose_text: ShortText | None = Field(default=None, examples=["60 mg daily"])


class MedicationStopIn(Input):
    at: AwareDatetime | None = Field(default=None, description="When it stopped (default now).")


class MedicationChangeIn(Input):
    """A new dose (or class) from `at`: the current entry stops and a new one replaces it."""

    dose_text: ShortText = Field(min_length=1)
    at: AwareDatetime | None = None
    med_class: str | None = codes(MEDICATION_CLASSES, default=None)


class MedicationOut(EntryOut):
    name: str
    med_class: str
    rxnorm: str | None
    dose_text: str | None
    stopped_at: datetime | None
    replaces_id: int | None
