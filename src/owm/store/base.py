"""The declarative base and the columns every clinical entry shares.

Why one mixin: every clinical entry must say who entered it and when, and must
be voidable as "entered in error" (with reason, by, at) without ever being
deleted. Putting those columns in one place makes it impossible to add a
clinical table that lacks them. Constraint names follow one convention so that
Alembic migrations are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from owm.store.types import UTCDateTime

__all__ = ["Base", "ClinicalEntry", "utc"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc() -> Mapped[datetime]:
    """A required timezone-aware UTC time column."""
    return mapped_column(UTCDateTime(), nullable=False)


class ClinicalEntry:
    """Columns of every clinical entry: episode, clinical time, who entered it, void.

    `at` is the clinical time (when observed or given); `entered_at` is when it was
    charted. A voided entry keeps its row; no decision reads it.
    """

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), sort_order=-2)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), sort_order=-1)
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), sort_order=1)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), sort_order=2)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), sort_order=3)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), sort_order=4)
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), sort_order=5)
    void_reason: Mapped[str | None] = mapped_column(Text, sort_order=6)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[object, ...]:
        name = cls.__tablename__  # type: ignore[attr-defined]
        return (
            UniqueConstraint("episode_id", "idempotency_key"),
            CheckConstraint(
                "(voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL) OR "
                "(voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL)",
                name="void_complete",
            ),
            Index(f"ix_{name}_episode_at", "episode_id", "at"),
            *cls.__extra_table_args__(),
        )

    @classmethod
    def __extra_table_args__(cls) -> tuple[object, ...]:
        return ()

    @property
    def voided(self) -> bool:
        return self.voided_at is not None
