"""Withdrawal scores (COWS, SOWS, OOWS), or unable to assess with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import AssessmentIn, AssessmentOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.assessments import record_assessment
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/assessments", tags=["assessments"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: AssessmentIn, response: Response, uow: UowDep, actor: CurrentUser
) -> AssessmentOut:
    """Withdrawal scores (COWS, SOWS, OOWS), or unable to assess with a reason."""
    result = record_assessment(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return AssessmentOut.model_validate(result)
