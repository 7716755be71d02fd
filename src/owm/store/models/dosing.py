"""Doses given or held, and what physicians decided about escalations.

An administration keeps the time the dose was given (`at`) apart from the time it
was charted (`recorded_at`), its outcome (given, partial, vomited, refused) and the
dose in whole micrograms; its idempotency key is unique per episode, so the same
request twice records one dose. A hold keeps its reason and the findings that
caused it. A physician's acknowledgement of an escalation finding (the only
override owm knows) and a nurse's record of whom they told, when and what they
said are separate entries: only the first changes a decision.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, ClinicalEntry, utc
from owm.store.types import Micrograms

__all__ = ["OUTCOMES", "Acknowledgement", "Administration", "EscalationContact", "Hold"]

OUTCOMES: tuple[str, ...] = ("given", "partial", "vomited", "refused")  # vocab: dose outcomes


class Administration(ClinicalEntry, Base):
    """A dose: clonazepam (through the dosing guard) or another recorded medicine."""

    __tablename__ = "administration"

    @classmethod
    def __extra_table_args__(cls) -> tuple[object, ...]:
        return (
            CheckConstraint(
                "outcome IN ('given', 'partial', 'vomited', 'refused')", name="outcome_known"
            ),
            CheckConstraint("dose_ug > 0", name="dose_positive"),
        )

    drug: Mapped[str] = mapped_column(String(40))
    dose_mg: Mapped[Decimal] = mapped_column("dose_ug", Micrograms())
    route: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = utc()
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_log.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Hold(ClinicalEntry, Base):
    """A dose held, with the nurse's reason and the finding codes shown at the time."""

    __tablename__ = "dose_hold"

    drug: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    finding_codes: Mapped[list[str]] = mapped_column(JSON)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_log.id"))


class Acknowledgement(ClinicalEntry, Base):
    """A physician acknowledges an escalation finding, with a reason; counts from `at`."""

    __tablename__ = "acknowledgement"

    finding: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)


class EscalationContact(ClinicalEntry, Base):
    """Who was told about a finding that asks for a physician, when (`at`), and what they said."""

    __tablename__ = "escalation_contact"

    finding: Mapped[str] = mapped_column(String(60))
    told_who: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text)
