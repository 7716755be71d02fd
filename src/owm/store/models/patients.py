"""Patients, their details with history, their episodes (admission to discharge) and the
discharge record.

A patient's clinical lists (conditions, allergies, history) use the codes of
`owm-state/1`; they are validated by the service before they are stored. An
episode records the first-line offer made at admission (methadone or
buprenorphine, NICE CG52 / ASAM 2020) and the patient's choice; a patient has at
most one open episode (a partial unique index on both databases). The admission's
idempotency key is unique, so an admission form sent twice opens one episode
whichever server process answers it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, utc
from owm.store.types import UTCDateTime

__all__ = [
    "DETAIL_FIELDS",
    "FIRST_LINE_CHOICES",
    "MOUD_REFERRALS",
    "SETTINGS",
    "Discharge",
    "Episode",
    "Patient",
    "PatientDetails",
]

# vocab: settings, first-line choices and MOUD referrals
SETTINGS: tuple[str, ...] = ("inpatient", "residential", "outpatient")
FIRST_LINE_CHOICES: tuple[str, ...] = ("methadone", "buprenorphine", "declined", "undecided")
MOUD_REFERRALS: tuple[str, ...] = ("methadone", "buprenorphine", "declined", "already-on-moud")
DETAIL_FIELDS: tuple[str, ...] = (
    "date_of_birth",
    "age_years",
    "sex",
    "weight_kg",
    "pregnant",
    "conditions",
    "allergies",
    "history",
)
"""The patient's details that decisions read; kept with history in `PatientDetails`."""


class Patient(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    bed: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    mrn: Mapped[str] = mapped_column(String(50), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    age_years: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(10))
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    pregnant: Mapped[bool | None] = mapped_column(Boolean)
    conditions: Mapped[list[str]] = mapped_column(JSON)
    allergies: Mapped[list[str]] = mapped_column(JSON)
    history: Mapped[list[str]] = mapped_column(JSON)
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = utc()
    updated_at: Mapped[datetime] = utc()


class PatientDetails(Base):
    """The patient's details as they stood from `effective_from` until the next row.

    The `Patient` row holds the details now (what screens show); this table keeps
    every version, so a decision about a past moment (a dose charted late) reads
    the weight, pregnancy and conditions as they stood then. A row is written at
    admission (effective from the admission time) and at each change of details.
    """

    __tablename__ = "patient_details"
    __table_args__ = (Index("ix_patient_details_patient_from", "patient_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    effective_from: Mapped[datetime] = utc()
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    age_years: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(10))
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    pregnant: Mapped[bool | None] = mapped_column(Boolean)
    conditions: Mapped[list[str]] = mapped_column(JSON)
    allergies: Mapped[list[str]] = mapped_column(JSON)
    history: Mapped[list[str]] = mapped_column(JSON)
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = utc()


class Episode(Base):
    __tablename__ = "episode"
    __table_args__ = (
        Index(
            "uq_episode_open_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text("discharged_at IS NULL"),
            postgresql_where=text("discharged_at IS NULL"),
        ),
        CheckConstraint(
            "first_line_choice IN ('methadone', 'buprenorphine', 'declined', 'undecided')",
            name="first_line_choice_known",
        ),
        Index("uq_episode_idempotency_key", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    admitted_at: Mapped[datetime] = utc()
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    setting: Mapped[str] = mapped_column(String(20))
    first_line_offered: Mapped[bool] = mapped_column(Boolean)
    first_line_choice: Mapped[str] = mapped_column(String(20))
    first_line_note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = utc()
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    """The admission form's key: the same form sent twice opens one episode."""


class Discharge(Base):
    __tablename__ = "discharge"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), unique=True)
    at: Mapped[datetime] = utc()
    moud_referral: Mapped[str] = mapped_column(String(30))
    naloxone_supplied: Mapped[bool] = mapped_column(Boolean)
    psychotherapy_referral: Mapped[bool] = mapped_column(Boolean)
    psychotherapy_service: Mapped[str | None] = mapped_column(Text)
    taper_plan: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    notes: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = utc()
