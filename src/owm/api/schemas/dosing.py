"""Doses: give clonazepam (through the guard), record another medicine, hold a dose."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, Field

from owm.api.schemas.common import (
    DecimalIn,
    EntryOut,
    IdempotencyKey,
    Input,
    LongText,
    Output,
    RecordInput,
    codes,
)
from owm.clinical.state import ADMINISTERED_DRUGS
from owm.service.dosing import OUTCOMES, ROUTES

__all__ = [
    "AdministrationIn",
    "AdministrationOut",
    "DoseOut",
    "DoseRefusedOut",
    "GiveIn",
    "HoldIn",
    "HoldOut",
    "HoldResultOut",
]


class GiveIn(Input):
    """Give (or chart) a clonazepam dose; refused with 409 unless the protocol allows it."""

    dose_mg: DecimalIn = Field(description='The dose in mg as text, e.g. "0.5".')
    idempotency_key: IdempotencyKey = Field(
        description="Required: the same key again returns the dose already recorded."
    )
    given_at: AwareDatetime | None = Field(
        default=None,
        description="When it was given (default now); charting late is allowed up to the "
        "protocol's limit, and the dose is checked against the record as it stood then.",
    )
    outcome: str = codes(OUTCOMES, default="given")
    route: str | None = codes(ROUTES, default=None)
    note: LongText | None = None


class AdministrationIn(RecordInput):
    """Another medicine given: a companion medicine or another benzodiazepine."""

    drug: str = codes([d for d in ADMINISTERED_DRUGS if d != "clonazepam"])
    dose_mg: DecimalIn
    outcome: str = codes(OUTCOMES, default="given")
    route: str = codes(ROUTES, default="oral")
    note: LongText | None = None


class AdministrationOut(EntryOut):
    drug: str
    dose_mg: Decimal
    route: str
    outcome: str
    recorded_at: datetime
    recommendation_id: int | None
    note: str | None


class DoseOut(Output):
    """A dose recorded (or, for a repeated idempotency key, the dose already recorded)."""

    administration: AdministrationOut
    recommendation: dict[str, Any] = Field(
        description="The owm-recommendation/1 that allowed the dose."
    )
    replayed: bool


class DoseRefusedOut(Output):
    """409: the protocol does not allow this dose now; nothing was given."""

    detail: str
    action: str
    reasons: list[str]
    findings: list[dict[str, Any]]
    recommendation: dict[str, Any]


class HoldIn(RecordInput):
    reason: LongText = Field(min_length=1, description="Why the dose is held.")


class HoldOut(EntryOut):
    drug: str
    reason: str
    finding_codes: list[str]
    recommendation_id: int | None


class HoldResultOut(Output):
    hold: HoldOut
    recommendation: dict[str, Any]
