"""What owm showed and what people said about it.

Every recommendation shown is logged with the protocol id and version that made
it, the state it was made from and the answer, so any decision can be replayed
and explained later. Patients rate their stay (1-5 stars, the seed article's
question), on the ward's device through a rating kiosk link that a nurse opens for
one episode (single use, short-lived, stored only as the SHA-256 of its token),
and staff report problems with a recommendation for clinical governance.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, utc
from owm.store.types import Micrograms, UTCDateTime

__all__ = ["PatientRating", "ProblemReport", "RatingKiosk", "RecommendationLog"]


class RecommendationLog(Base):
    """One recommendation shown (or used to guard a give or a hold)."""

    __tablename__ = "recommendation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), index=True)
    decision_at: Mapped[datetime] = utc()
    shown_at: Mapped[datetime] = utc()
    shown_to: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    protocol_id: Mapped[str] = mapped_column(String(100))
    protocol_version: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    dose_mg: Mapped[Decimal | None] = mapped_column("dose_ug", Micrograms())
    finding_codes: Mapped[list[str]] = mapped_column(JSON)
    state_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation: Mapped[dict[str, Any]] = mapped_column(JSON)


class PatientRating(Base):
    """The patient's 1-5 star rating of the stay, with an optional comment."""

    __tablename__ = "patient_rating"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), unique=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = utc()
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class RatingKiosk(Base):
    """A rating-only link for one episode, opened by a nurse or physician on the ward's device.

    The token itself is shown once (in the link) and never stored; the link works
    until `expires_at`, once: `used_at` and `rating_id` are set in the same
    transaction as the rating. Opening another link for the episode closes this one
    (`closed_at`).
    """

    __tablename__ = "rating_kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opened_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[datetime] = utc()
    expires_at: Mapped[datetime] = utc()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("patient_rating.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProblemReport(Base):
    """ "Report a problem with this recommendation": stored and listed for admins."""

    __tablename__ = "problem_report"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        Index("uq_problem_report_idempotency_key", "reported_by", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_log.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = utc()
    reported_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    """The report form's key (unique per reporter): a form sent twice is one report."""
