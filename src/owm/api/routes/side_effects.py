"""Side effects of clonazepam, by the clinical spec's 11 groups."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.records import SideEffectIn, SideEffectOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.permissions import Permission
from owm.service.symptoms import record_side_effect

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}/side-effects", tags=["side effects"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SideEffectOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_OBSERVATION)],
)
def record(
    episode_id: RecordId, body: SideEffectIn, response: Response, uow: UowDep, actor: CurrentUser
) -> SideEffectOut:
    """Side effects of clonazepam, by the clinical spec's 11 groups."""
    result = record_side_effect(uow, actor, episode_id=episode_id, **body.model_dump())
    created_or_replayed(response, result.replayed)
    return SideEffectOut.model_validate(result)
