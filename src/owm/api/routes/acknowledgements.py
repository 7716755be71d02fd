"""Physicians' acknowledgements of escalations (the only override), and escalation contacts.

Only physicians acknowledge, and only escalation findings: nobody acknowledges an
emergency, a contraindication or a hold away (422 naming the codes that can be).
A nurse records whom they told about a finding, when, and what was said.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from owm.api.routes._common import CREATED, created_or_replayed
from owm.api.schemas.common import RecordId
from owm.api.schemas.governance import (
    AcknowledgementIn,
    AcknowledgementOut,
    EscalationContactIn,
    EscalationContactOut,
)
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import acknowledgements
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/episodes/{episode_id}", tags=["acknowledgements"])


@router.post(
    "/acknowledgements",
    status_code=status.HTTP_201_CREATED,
    response_model=AcknowledgementOut,
    responses=CREATED,
    dependencies=[requires(Permission.ACKNOWLEDGE)],
)
def acknowledge(
    episode_id: RecordId,
    body: AcknowledgementIn,
    response: Response,
    uow: UowDep,
    actor: CurrentUser,
) -> AcknowledgementOut:
    """A physician acknowledges an escalation finding now, with a reason."""
    result = acknowledgements.acknowledge_finding(
        uow, actor, episode_id=episode_id, **body.model_dump()
    )
    created_or_replayed(response, result.replayed)
    return AcknowledgementOut.model_validate(result)


@router.post(
    "/escalation-contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=EscalationContactOut,
    responses=CREATED,
    dependencies=[requires(Permission.RECORD_ESCALATION_CONTACT)],
)
def escalation_contact(
    episode_id: RecordId,
    body: EscalationContactIn,
    response: Response,
    uow: UowDep,
    actor: CurrentUser,
) -> EscalationContactOut:
    """Record who was told about a finding, when, and what they said."""
    result = acknowledgements.record_escalation_contact(
        uow, actor, episode_id=episode_id, **body.model_dump()
    )
    created_or_replayed(response, result.replayed)
    return EscalationContactOut.model_validate(result)
