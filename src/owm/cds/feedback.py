"""CDS Hooks feedback: what a clinician did with owm's cards, kept in owm's audit trail.

A CDS client POSTs `{"feedback": [...]}` to `/cds-services/{id}/feedback`: a card
was accepted (with the suggestions taken) or overridden (with a reason and a
comment, when given). Each item becomes one `FeedbackRecord`; the router hands
them to an injected recorder, so the HTTP layer does not know where they go.
`audit_recorder` writes them into the hash-chained audit trail through the
service layer, all items of one request in one transaction.

Card uuids are derived from service, patient and finding (see `cards`), so a
uuid alone does not say which patient it was about; `IssuedCards` remembers the
cards this process handed out recently so the record can name the patient and
finding. A uuid it does not know (another process, a restart) is still recorded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from owm.cds.auth import CdsClient
from owm.clinical.findings import iso
from owm.http.runtime import UowFactory
from owm.service.cds_hooks import CdsFeedback, record_cds_feedback

__all__ = ["FeedbackRecord", "FeedbackRecorder", "IssuedCard", "IssuedCards", "audit_recorder"]


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """What owm knows about a card it answered with."""

    service_id: str
    patient_id: str
    finding: str
    summary: str
    hook_instance: str


class IssuedCards:
    """The most recent cards handed out by this process, by uuid (bounded)."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._cards: OrderedDict[str, IssuedCard] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, card_uuid: str, card: IssuedCard) -> None:
        with self._lock:
            self._cards[card_uuid] = card
            self._cards.move_to_end(card_uuid)
            while len(self._cards) > self.limit:
                self._cards.popitem(last=False)

    def get(self, card_uuid: str) -> IssuedCard | None:
        with self._lock:
            return self._cards.get(card_uuid)


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One feedback item, with who sent it and what owm knows of the card."""

    service_id: str
    card: str
    outcome: str
    outcome_at: datetime
    received_at: datetime
    client: CdsClient
    client_address: str | None
    accepted_suggestions: tuple[str, ...] = ()
    override_reason: dict[str, Any] | None = None
    user_comment: str | None = None
    issued: IssuedCard | None = None

    def to_json(self) -> dict[str, Any]:
        """The audit entry's `after` content."""
        data: dict[str, Any] = {
            "service": self.service_id,
            "card": self.card,
            "outcome": self.outcome,
            "outcome_at": iso(self.outcome_at),
            "received_at": iso(self.received_at),
            "client": {
                "iss": self.client.iss,
                "sub": self.client.sub,
                "tenant": self.client.tenant,
                "jti": self.client.jti,
                "verified": self.client.verified,
            },
            "accepted_suggestions": list(self.accepted_suggestions),
            "override_reason": self.override_reason,
            "user_comment": self.user_comment,
        }
        if self.issued is not None:
            data["patient_id"] = self.issued.patient_id
            data["finding"] = self.issued.finding
            data["summary"] = self.issued.summary
            data["hook_instance"] = self.issued.hook_instance
        return data


FeedbackRecorder = Callable[[Sequence[FeedbackRecord]], None]
"""Stores feedback records; raises to make the request fail (nothing half-stored)."""


def audit_recorder(uow: UowFactory) -> FeedbackRecorder:
    """A recorder that appends one audit entry per record, all in one transaction.

    Entries (`owm.service.cds_hooks.record_cds_feedback`): action
    `cds-feedback-accepted` / `cds-feedback-overridden`, record type `cds-card`,
    record id the card uuid, who = the CDS client (`cds:<iss>`, role `cds-client`,
    no owm user), at = when owm received it.
    """

    def record(records: Sequence[FeedbackRecord]) -> None:
        record_cds_feedback(
            uow(),
            [
                CdsFeedback(
                    issuer=item.client.iss,
                    client_address=item.client_address,
                    outcome=item.outcome,
                    card=item.card,
                    received_at=item.received_at,
                    content=item.to_json(),
                )
                for item in records
            ],
        )

    return record
