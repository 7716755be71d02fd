"""The patient's rating of the stay (1-5 stars), once per episode."""

from __future__ import annotations

from fastapi import APIRouter, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.governance import RatingIn, RatingOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import feedback
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/rating", tags=["ratings"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RatingOut,
    dependencies=[requires(Permission.RECORD_RATING)],
)
def rate(episode_id: RecordId, body: RatingIn, uow: UowDep, actor: CurrentUser) -> RatingOut:
    """Record the rating (the same rating again is harmless; a different one is 409)."""
    return RatingOut.model_validate(
        feedback.rate_stay(uow, actor, episode_id=episode_id, **body.model_dump())
    )
