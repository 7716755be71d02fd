"""Column types that keep clinical values exact on both SQLite and PostgreSQL.

Why: SQLite has no time zones and no exact decimals. Times are stored as UTC
(naive UTC text on SQLite, `timestamptz` on PostgreSQL) and always come back
timezone-aware in UTC; a naive time is refused rather than guessed. Doses are
stored as whole micrograms (an integer), so sums and comparisons are exact in SQL
and in Python, and come back as `Decimal` milligrams.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["MICROGRAMS_PER_MG", "Micrograms", "UTCDateTime", "mg_to_ug", "ug_to_mg"]

MICROGRAMS_PER_MG = 1000


def mg_to_ug(amount: Decimal) -> int:
    """Milligrams to whole micrograms; refuses a fraction of a microgram."""
    micrograms = amount * MICROGRAMS_PER_MG
    if micrograms != micrograms.to_integral_value():
        raise ValueError(f"{amount} mg is not a whole number of micrograms")
    return int(micrograms)


def ug_to_mg(micrograms: int) -> Decimal:
    """Whole micrograms to milligrams, as an exact Decimal (trailing zeros removed)."""
    value = Decimal(micrograms) / MICROGRAMS_PER_MG
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"time {value.isoformat()} has no time zone; owm stores UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (TypeDecorator's signature)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Micrograms(TypeDecorator[Decimal]):
    """A dose in mg on the Python side, stored as whole micrograms (BIGINT)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(
        self,
        value: Any,
        dialect: Dialect,  # noqa: ARG002 (TypeDecorator's signature)
    ) -> int | None:
        if value is None:
            return None
        return mg_to_ug(Decimal(value))

    def process_result_value(
        self,
        value: Any,
        dialect: Dialect,  # noqa: ARG002 (TypeDecorator's signature)
    ) -> Decimal | None:
        if value is None:
            return None
        return ug_to_mg(int(value))
