"""A physician acknowledges an escalation; a nurse records whom they told and what was said.

Only escalate findings can be acknowledged (the protocol lists them); an
acknowledgement of anything else — an emergency, a contraindication, a hold — is
bad input: nobody acknowledges those away. The acknowledgement counts from the
moment it is recorded (it cannot be back-dated, so it never changes a dose already
decided), carries the physician's reason, and lapses as the core says (a medicine
of that kind started or changed after it). Only physicians acknowledge.

When a finding asks for a physician, the nurse records who was told, when, and
what they said (`record_escalation_contact`); that entry informs, it does not
override.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from owm.clinical import Protocol
from owm.service.actor import Actor
from owm.service.common import record_entry, required_text
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.results import AcknowledgementView, EscalationContactView
from owm.store.models import Acknowledgement, EscalationContact
from owm.store.uow import UnitOfWork

__all__ = ["acknowledge_finding", "record_escalation_contact"]


def acknowledge_finding(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    finding: str,
    reason: str,
    idempotency_key: str | None = None,
) -> AcknowledgementView:
    """A physician acknowledges an escalation finding now, with a reason (required).

    InputError when `finding` is not an escalation code of the ward's protocol (the
    error lists the codes that can be acknowledged).
    """
    why = required_text(reason, field="reason")

    def fields(protocol: Protocol, _moment: datetime) -> dict[str, Any]:
        allowed = protocol.acknowledgeable_codes
        if finding not in allowed:
            raise InputError(
                "finding",
                finding,
                "an escalation finding (emergencies, contraindications and holds cannot be "
                "acknowledged): " + ", ".join(allowed),
            )
        return {"finding": finding, "reason": why}

    return record_entry(
        uow,
        actor,
        permission=Permission.ACKNOWLEDGE,
        model=Acknowledgement,
        view_cls=AcknowledgementView,
        episode_id=episode_id,
        at=None,
        idempotency_key=idempotency_key,
        fields=fields,
        action="acknowledgement.record",
    )


def record_escalation_contact(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    finding: str,
    told_who: str,
    response: str,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> EscalationContactView:
    """Record that `told_who` was told about `finding` at `at` (default now) and what they said."""
    who = required_text(told_who, field="told_who", max_length=200)
    said = required_text(response, field="response")

    def fields(protocol: Protocol, _moment: datetime) -> dict[str, Any]:
        if finding not in protocol.findings:
            raise InputError("finding", finding, ", ".join(protocol.findings))
        return {"finding": finding, "told_who": who, "response": said}

    return record_entry(
        uow,
        actor,
        permission=Permission.RECORD_ESCALATION_CONTACT,
        model=EscalationContact,
        view_cls=EscalationContactView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="escalation_contact.record",
    )
