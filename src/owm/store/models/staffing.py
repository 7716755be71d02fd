"""Who looks after whom: the nurse assigned to each episode, with its history.

Why a table of its own: "each nurse's list of what is overdue" needs to know
whose patient is whose, and a handover of a patient from one nurse to another is
part of the record (who assigned, when). An assignment runs from `from_at` until
`until_at` (None while current); assigning another nurse ends the current row and
starts a new one, so the assignment at any past time can be read back. An episode
has at most one current assignment (a partial unique index on both databases).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, utc
from owm.store.types import UTCDateTime

__all__ = ["NurseAssignment"]


class NurseAssignment(Base):
    __tablename__ = "nurse_assignment"
    __table_args__ = (
        Index(
            "uq_nurse_assignment_current",
            "episode_id",
            unique=True,
            sqlite_where=text("until_at IS NULL"),
            postgresql_where=text("until_at IS NULL"),
        ),
        CheckConstraint("until_at IS NULL OR until_at >= from_at", name="ends_after_start"),
        CheckConstraint(
            "(until_at IS NULL AND ended_by IS NULL) OR "
            "(until_at IS NOT NULL AND ended_by IS NOT NULL)",
            name="end_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"), index=True)
    nurse_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    from_at: Mapped[datetime] = utc()
    until_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = utc()
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
