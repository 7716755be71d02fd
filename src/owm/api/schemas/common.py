"""Pieces every resource's schemas share: strict inputs, outputs read from service views.

Why separate input and output models: what a client may send (no ids, no
"entered by", unknown fields refused) is not what the API answers, and the
database's columns are neither. Inputs forbid unknown fields, because a
misspelt field silently ignored is a clinical value silently lost. Exact
decimals (doses, temperatures, weights) are sent as text ("0.5") or whole
numbers, never binary floats; the service checks them. Times must carry a time
zone. Codes are validated by the service against the clinical core's
vocabularies; the schemas list them for clients as `enum`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_ID",
    "BodyId",
    "DecimalIn",
    "EntryOut",
    "IdempotencyKey",
    "Input",
    "LongText",
    "Output",
    "RecordId",
    "RecordInput",
    "ShortText",
    "codes",
]


class Input(BaseModel):
    """Base of request bodies: unknown fields are refused (422 naming the field)."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """Base of response bodies, built from the service's result views."""

    model_config = ConfigDict(from_attributes=True)


MAX_ID = 2_147_483_647
"""Ids are 32-bit on PostgreSQL: a larger one cannot exist (404 would be a lie; 422)."""

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id.")]
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _exact_decimal(value: Any) -> str:
    """An exact decimal as text; a whole number becomes text; a float is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError(
            "decimal_type",
            'Input should be an exact decimal written as text (e.g. "0.5") or a whole '
            "number, never a floating-point number",
        )
    return str(value)


DecimalIn = Annotated[
    str,
    BeforeValidator(_exact_decimal),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "maxLength": 20},
                {"type": "integer", "minimum": 0},
            ],
            "description": 'An exact decimal as text (e.g. "0.5") or a whole number; '
            "never a float.",
            "examples": ["0.5"],
        }
    ),
]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="A client-chosen key naming this request: sending it again returns the "
        "entry already recorded instead of recording a second one.",
    ),
]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]


def codes(values: tuple[str, ...] | list[str], *, default: Any = ..., description: str = "") -> Any:
    """A `Field` for a code from a vocabulary: listed as `enum`, checked by the service.

    Without `default` the field is required.
    """
    extra: dict[str, Any] = {"enum": list(values)}
    return Field(default, description=description or None, json_schema_extra=extra)


class RecordInput(Input):
    """What every clinical entry may carry: its clinical time and an idempotency key."""

    at: AwareDatetime | None = Field(
        default=None,
        description="When it was observed or done (default: now). Not in the future, "
        "not before admission.",
    )
    idempotency_key: IdempotencyKey | None = None


class EntryOut(Output):
    """What every clinical entry shows: clinical time, who charted it and when, and void."""

    id: int
    episode_id: int
    at: datetime
    entered_by: int
    entered_at: datetime
    idempotency_key: str | None
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str | None
    replayed: bool = Field(
        default=False,
        description="True when this answer is the entry already recorded under the same "
        "idempotency key.",
    )
