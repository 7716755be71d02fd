"""The recommendation now: what the protocol allows for this episode at this moment, and why.

Made from the stored record at the server's clock time; every answer is logged as
shown to the caller, with the protocol version that made it (the recommendation
log and the audit trail).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from owm.api.schemas.common import Output, RecordId
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.permissions import Permission
from owm.service.recommendation import get_recommendation

__all__ = ["RecommendationOut", "router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/recommendation", tags=["recommendation"])


class RecommendationOut(Output):
    episode_id: int
    log_id: int | None = Field(description="The recommendation log entry of this answer.")
    recommendation: dict[str, Any] = Field(description="owm-recommendation/1")
    state: dict[str, Any] | None = Field(
        default=None, description="The owm-state/1 it was made from (with include_state=true)."
    )


@router.get(
    "", response_model=RecommendationOut, dependencies=[requires(Permission.VIEW_RECOMMENDATION)]
)
def recommendation_now(
    episode_id: RecordId,
    uow: UowDep,
    actor: CurrentUser,
    include_state: Annotated[bool, Query(description="Also return the state.")] = False,
) -> RecommendationOut:
    """What the protocol allows now (409 for a discharged episode)."""
    result = get_recommendation(uow, actor, episode_id=episode_id)
    return RecommendationOut(
        episode_id=result.episode_id,
        log_id=result.log_id,
        recommendation=result.document,
        state=result.state if include_state else None,
    )
