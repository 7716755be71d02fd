"""What nurses observe and record: scores, vital signs, sedation, symptoms, side
effects, alcohol and the medicines the patient takes.

Every table is a clinical entry (see `owm.store.base.ClinicalEntry`). Codes and
values are those of `owm-state/1` and are validated by the service layer with
the clinical core's own models before they are stored; the database adds a few
checks as a last line. An assessment that could not be done is stored as
"unable to assess" with a reason and no items: never as a forced 0.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, ClinicalEntry
from owm.store.types import UTCDateTime

__all__ = [
    "Alcohol",
    "Assessment",
    "Medication",
    "Sedation",
    "SideEffect",
    "Symptom",
    "VitalSigns",
]


class Assessment(ClinicalEntry, Base):
    """A COWS, SOWS or OOWS: every item value, or unable to assess with a reason."""

    __tablename__ = "assessment"

    @classmethod
    def __extra_table_args__(cls) -> tuple[object, ...]:
        return (
            CheckConstraint("instrument IN ('COWS', 'SOWS', 'OOWS')", name="instrument_known"),
            CheckConstraint(
                "(items IS NOT NULL AND total IS NOT NULL AND unable_reason IS NULL) OR "
                "(items IS NULL AND total IS NULL AND unable_reason IS NOT NULL)",
                name="items_or_unable",
            ),
        )

    instrument: Mapped[str] = mapped_column(String(10))
    items: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))
    total: Mapped[int | None] = mapped_column(Integer)
    unable_reason: Mapped[str | None] = mapped_column(Text)


class VitalSigns(ClinicalEntry, Base):
    """One set of vital signs; any value may be missing (NEWS2 needs all seven)."""

    __tablename__ = "vital_signs"

    respiratory_rate: Mapped[int | None] = mapped_column(Integer)
    spo2: Mapped[int | None] = mapped_column(Integer)
    oxygen: Mapped[bool | None] = mapped_column(Boolean)
    systolic_bp: Mapped[int | None] = mapped_column(Integer)
    pulse: Mapped[int | None] = mapped_column(Integer)
    consciousness: Mapped[str | None] = mapped_column(String(20))
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))


class Sedation(ClinicalEntry, Base):
    """A POSS or RASS level (a string: "S", "1".."4"; "-5".."4")."""

    __tablename__ = "sedation"

    @classmethod
    def __extra_table_args__(cls) -> tuple[object, ...]:
        return (CheckConstraint("scale IN ('POSS', 'RASS')", name="scale_known"),)

    scale: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(5))


class Symptom(ClinicalEntry, Base):
    __tablename__ = "symptom"

    code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class UnmappedRecord(ClinicalEntry, Base):
    """A condition, allergy or medicine an import held that owm could not map to its codes.

    It escalates unmapped-record on every decision until a physician reviews it and
    voids it (having charted what it means in owm's own terms), clinical spec section 8.
    """

    __tablename__ = "unmapped_record"

    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    code: Mapped[str | None] = mapped_column(String(100))
    system: Mapped[str | None] = mapped_column(String(500))


class SideEffect(ClinicalEntry, Base):
    """One of the 11 side-effect groups of the clinical spec."""

    __tablename__ = "side_effect"

    code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class Alcohol(ClinicalEntry, Base):
    """When the patient last drank (as reported), a breath alcohol reading, and/or the
    patient's report of no drink in the protocol's alcohol window (`none_reported`)."""

    __tablename__ = "alcohol"

    @classmethod
    def __extra_table_args__(cls) -> tuple[object, ...]:
        return (
            CheckConstraint(
                "last_drink_at IS NOT NULL OR breath_alcohol_mg_l IS NOT NULL OR none_reported",
                name="something_recorded",
            ),
        )

    last_drink_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breath_alcohol_mg_l: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    none_reported: Mapped[bool] = mapped_column(default=False, server_default=false())


class Medication(ClinicalEntry, Base):
    """A medicine the patient takes, from `at` (started or dose changed) to `stopped_at`.

    A change of dose stops this row and starts a new one that `replaces_id` it, so the
    list as it stood at any past time can be rebuilt; `changed_at` in the state is the
    row's `at`.
    """

    __tablename__ = "medication"

    name: Mapped[str] = mapped_column(String(200))
    med_class: Mapped[str] = mapped_column(String(40))
    rxnorm: Mapped[str | None] = mapped_column(String(12))
    dose_text: Mapped[str | None] = mapped_column(Text)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("medication.id"))

    def active_at(self, moment: datetime) -> bool:
        return self.at <= moment and (self.stopped_at is None or self.stopped_at > moment)
