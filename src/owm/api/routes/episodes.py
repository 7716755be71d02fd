"""Episodes: one episode, its whole record, and the recommendations shown in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from owm.api.schemas.common import RecordId
from owm.api.schemas.episodes import EpisodeRecordOut
from owm.api.schemas.governance import RecommendationLogOut
from owm.api.schemas.patients import EpisodeOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import queries
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(
    prefix="/api/episodes/{episode_id}",
    tags=["episodes"],
    dependencies=[requires(Permission.READ_RECORD)],
)


@router.get("", response_model=EpisodeOut)
def get_episode(episode_id: RecordId, uow: UowDep, actor: CurrentUser) -> EpisodeOut:
    return EpisodeOut.model_validate(queries.get_episode(uow, actor, episode_id=episode_id))


@router.get("/record", response_model=EpisodeRecordOut)
def record(episode_id: RecordId, uow: UowDep, actor: CurrentUser) -> EpisodeRecordOut:
    """Everything recorded in the episode, oldest first; voided entries included and marked."""
    return EpisodeRecordOut.model_validate(
        queries.episode_record(uow, actor, episode_id=episode_id)
    )


@router.get("/recommendations", response_model=list[RecommendationLogOut])
def recommendations(
    episode_id: RecordId,
    uow: UowDep,
    actor: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[RecommendationLogOut]:
    """The recommendations shown (or used to guard a give or hold), newest first."""
    rows = queries.list_recommendations(uow, actor, episode_id=episode_id, limit=limit)
    return [RecommendationLogOut.model_validate(r) for r in rows]
