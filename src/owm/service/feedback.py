"""What patients and staff say: the patient's 1-5 star rating of the stay, and
"report a problem with this recommendation" for clinical governance.

The seed article ends by asking readers for a 1-5 star rating; owm asks each
patient at discharge, on the ward's device (recorded by the nurse or physician
signed in there). Any signed-in user can report a problem with a recommendation;
physicians, pharmacists and admins review and close reports. A report may carry
its form's idempotency key (unique per reporter in the database), so a form sent
twice is one report on any server process.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from owm.service.actor import Actor
from owm.service.common import (
    audit,
    begin,
    idempotency,
    load_episode,
    optional_text,
    required_text,
    snapshot,
)
from owm.service.errors import Conflict, InputError, NotFound
from owm.service.permissions import Permission
from owm.service.results import ProblemReportView, RatingView, view
from owm.store.models import PatientRating, ProblemReport, RecommendationLog
from owm.store.uow import UnitOfWork

__all__ = ["close_problem_report", "list_problem_reports", "rate_stay", "report_problem"]


def rate_stay(
    uow: UnitOfWork, actor: Actor, *, episode_id: int, stars: int, comment: str | None = None
) -> RatingView:
    """Record the patient's rating of the stay (1-5 stars, optional comment), once per
    episode; the same rating again returns it, a different one is a Conflict."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InputError("stars", stars, "a whole number from 1 to 5")
    text = optional_text(comment, field="comment", max_length=2000)
    with uow:
        acting = begin(uow, actor, Permission.RECORD_RATING)
        session = uow.session
        episode = load_episode(session, episode_id)
        existing = session.execute(
            select(PatientRating).where(PatientRating.episode_id == episode.id)
        ).scalar_one_or_none()
        if existing is not None:
            if (existing.stars, existing.comment) == (stars, text):
                return view(RatingView, existing)
            raise Conflict(f"episode {episode.id} already has a rating")
        row = PatientRating(
            episode_id=episode.id,
            stars=stars,
            comment=text,
            at=uow.now(),
            entered_by=acting.user_id,
        )
        session.add(row)
        audit(uow, acting, "patient_rating.record", row)
        uow.commit()
        return view(RatingView, row)


def report_problem(
    uow: UnitOfWork,
    actor: Actor,
    *,
    text: str,
    episode_id: int | None = None,
    recommendation_id: int | None = None,
    idempotency_key: str | None = None,
) -> ProblemReportView:
    """Report a problem with a recommendation (the log row shown, or an episode).

    The same `idempotency_key` from the same person again returns the report it made
    (`replayed=True`); with other words or about another recommendation, Conflict.
    """
    body = required_text(text, field="text")
    key = idempotency(idempotency_key)
    try:
        return _report_problem(
            uow,
            actor,
            body=body,
            episode_id=episode_id,
            recommendation_id=recommendation_id,
            key=key,
        )
    except IntegrityError:
        # The same key stored at the same moment by another request: answer with it.
        if key is None or actor.user_id is None:
            raise
        with uow.read():
            again = _report_by_key(
                uow.session, actor.user_id, key, body, episode_id, recommendation_id
            )
        if again is None:
            raise
        return again


def _report_by_key(
    session: Session,
    user_id: int,
    key: str,
    body: str,
    episode_id: int | None,
    recommendation_id: int | None,
) -> ProblemReportView | None:
    """The report this person already made under `key`, or None (Conflict when it differs)."""
    row = session.execute(
        select(ProblemReport).where(
            ProblemReport.reported_by == user_id, ProblemReport.idempotency_key == key
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.text != body or (
        recommendation_id is not None and row.recommendation_id != recommendation_id
    ):
        raise Conflict(
            f"idempotency key {key!r} was already used for another problem report "
            f"({row.id}); nothing was recorded"
        )
    if recommendation_id is None and episode_id is not None and row.episode_id != episode_id:
        raise Conflict(
            f"idempotency key {key!r} was already used for a problem report about another "
            f"episode ({row.id}); nothing was recorded"
        )
    return view(ProblemReportView, row, replayed=True)


def _report_problem(
    uow: UnitOfWork,
    actor: Actor,
    *,
    body: str,
    episode_id: int | None,
    recommendation_id: int | None,
    key: str | None,
) -> ProblemReportView:
    with uow:
        acting = begin(uow, actor, Permission.REPORT_PROBLEM)
        session = uow.session
        if key is not None:
            again = _report_by_key(
                session, acting.user_id, key, body, episode_id, recommendation_id
            )
            if again is not None:
                return again
        if recommendation_id is not None:
            log = session.get(RecommendationLog, recommendation_id)
            if log is None:
                raise NotFound("recommendation", recommendation_id)
            if episode_id is not None and episode_id != log.episode_id:
                raise InputError(
                    "episode_id", episode_id, f"{log.episode_id} (the recommendation's episode)"
                )
            episode_id = log.episode_id
        elif episode_id is not None:
            load_episode(session, episode_id)
        row = ProblemReport(
            episode_id=episode_id,
            recommendation_id=recommendation_id,
            text=body,
            at=uow.now(),
            reported_by=acting.user_id,
            status="open",
            idempotency_key=key,
        )
        session.add(row)
        session.flush()
        audit(uow, acting, "problem_report.record", row)
        uow.commit()
        return view(ProblemReportView, row)


def list_problem_reports(
    uow: UnitOfWork, actor: Actor, *, status: str | None = None
) -> list[ProblemReportView]:
    """Problem reports, newest first (`status` open or closed, or all)."""
    if status not in (None, "open", "closed"):
        raise InputError("status", status, "open, closed")
    with uow.read():
        begin(uow, actor, Permission.REVIEW_PROBLEMS)
        query = select(ProblemReport).order_by(ProblemReport.id.desc())
        if status is not None:
            query = query.where(ProblemReport.status == status)
        return [view(ProblemReportView, r) for r in uow.session.execute(query).scalars()]


def close_problem_report(
    uow: UnitOfWork, actor: Actor, *, report_id: int, resolution: str
) -> ProblemReportView:
    """Close a problem report with what was done about it."""
    what = required_text(resolution, field="resolution")
    with uow:
        acting = begin(uow, actor, Permission.REVIEW_PROBLEMS)
        row = uow.session.get(ProblemReport, report_id)
        if row is None:
            raise NotFound("problem_report", report_id)
        if row.status == "closed":
            raise Conflict(f"problem report {report_id} is already closed")
        before = snapshot(row)
        row.status = "closed"
        row.closed_at = uow.now()
        row.closed_by = acting.user_id
        row.resolution = what
        audit(uow, acting, "problem_report.close", row, before=before)
        uow.commit()
        return view(ProblemReportView, row)
