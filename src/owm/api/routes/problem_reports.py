"""Problem reports: anyone signed in reports a problem with a recommendation; physicians,
pharmacists and admins review and close them (clinical governance)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.governance import ProblemCloseIn, ProblemReportIn, ProblemReportOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import feedback
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/problem-reports", tags=["problem reports"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProblemReportOut,
    dependencies=[requires(Permission.REPORT_PROBLEM)],
)
def report(body: ProblemReportIn, uow: UowDep, actor: CurrentUser) -> ProblemReportOut:
    """Report a problem with a recommendation (or an episode)."""
    return ProblemReportOut.model_validate(feedback.report_problem(uow, actor, **body.model_dump()))


@router.get(
    "", response_model=list[ProblemReportOut], dependencies=[requires(Permission.REVIEW_PROBLEMS)]
)
def list_reports(
    uow: UowDep,
    actor: CurrentUser,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> list[ProblemReportOut]:
    """Problem reports, newest first (optionally only open or closed ones)."""
    return [
        ProblemReportOut.model_validate(r)
        for r in feedback.list_problem_reports(uow, actor, status=status)
    ]


@router.post(
    "/{report_id}/close",
    response_model=ProblemReportOut,
    dependencies=[requires(Permission.REVIEW_PROBLEMS)],
)
def close(
    report_id: RecordId, body: ProblemCloseIn, uow: UowDep, actor: CurrentUser
) -> ProblemReportOut:
    """Close a report with its resolution (409 when already closed)."""
    return ProblemReportOut.model_validate(
        feedback.close_problem_report(uow, actor, report_id=report_id, resolution=body.resolution)
    )
