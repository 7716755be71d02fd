"""The problem reports as reviewers read them: each with the recommendation it is about.

Why beside `owm.service.feedback`: a report says "this recommendation was wrong";
the reviewer (a physician, pharmacist or admin) needs to see which answer it was
(action, dose, findings, decision time) and which protocol version made it,
without opening the patient's record (admins do not read records). The
recommendation log row holds exactly that, so the list joins it in; the episode
is named by its number only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.common import begin
from owm.service.errors import InputError, NotFound
from owm.service.permissions import Permission
from owm.store.models import ProblemReport, RecommendationLog, User
from owm.store.uow import UnitOfWork

__all__ = [
    "ProblemForReview",
    "ReportedRecommendation",
    "problems_for_review",
    "recommendation_to_report",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportedRecommendation:
    """The recommendation a report is about, as it was shown."""

    id: int
    episode_id: int
    decision_at: datetime
    shown_at: datetime
    purpose: str
    protocol_id: str
    protocol_version: str
    action: str
    dose_mg: Decimal | None
    finding_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemForReview:
    id: int
    at: datetime
    text: str
    reported_by: str
    reporter_role: str
    episode_id: int | None
    status: str
    closed_at: datetime | None
    closed_by: str | None
    resolution: str | None
    recommendation: ReportedRecommendation | None


def problems_for_review(
    uow: UnitOfWork, actor: Actor, *, status: str | None = None
) -> list[ProblemForReview]:
    """Problem reports, newest first (`status` open or closed, or all), each with the
    recommendation it is about and the protocol version that made it."""
    if status not in (None, "open", "closed"):
        raise InputError("status", status, "open, closed (or nothing for all)")
    with uow.read():
        begin(uow, actor, Permission.REVIEW_PROBLEMS)
        session = uow.session
        query = (
            select(ProblemReport, RecommendationLog)
            .outerjoin(RecommendationLog, RecommendationLog.id == ProblemReport.recommendation_id)
            .order_by(ProblemReport.id.desc())
        )
        if status is not None:
            query = query.where(ProblemReport.status == status)
        rows = session.execute(query).all()
        users = {u.id: u for u in session.execute(select(User)).scalars()}

        def name(user_id: int | None) -> str | None:
            if user_id is None:
                return None
            user = users.get(user_id)
            return (user.full_name or user.username) if user else f"user {user_id}"

        found = []
        for report, log in rows:
            reporter = users.get(report.reported_by)
            found.append(
                ProblemForReview(
                    id=report.id,
                    at=report.at,
                    text=report.text,
                    reported_by=name(report.reported_by) or "",
                    reporter_role=reporter.role if reporter else "",
                    episode_id=report.episode_id,
                    status=report.status,
                    closed_at=report.closed_at,
                    closed_by=name(report.closed_by),
                    resolution=report.resolution,
                    recommendation=(_reported(log) if log is not None else None),
                )
            )
        return found


def _reported(log: RecommendationLog) -> ReportedRecommendation:
    return ReportedRecommendation(
        id=log.id,
        episode_id=log.episode_id,
        decision_at=log.decision_at,
        shown_at=log.shown_at,
        purpose=log.purpose,
        protocol_id=log.protocol_id,
        protocol_version=log.protocol_version,
        action=log.action,
        dose_mg=log.dose_mg,
        finding_codes=tuple(log.finding_codes or ()),
    )


def recommendation_to_report(
    uow: UnitOfWork, actor: Actor, *, recommendation_id: int
) -> ReportedRecommendation:
    """The recommendation someone is about to report a problem with (anyone signed in:
    it names no patient, only the episode number, the answer and the protocol)."""
    with uow.read():
        begin(uow, actor, Permission.REPORT_PROBLEM)
        log = uow.session.get(RecommendationLog, recommendation_id)
        if log is None:
            raise NotFound("recommendation", recommendation_id)
        return _reported(log)
