"""What the CDS Hooks service keeps in and reads from owm's database.

Why here: the CDS Hooks adapter (`owm.cds`) answers EHRs that are not owm users, but
what it stores (feedback on its cards, the JWT ids it has accepted) and what it
reads (owm's patient with an MRN, the wards' time zones) goes through use cases like
every other adapter's, each in one transaction of the unit of work it is given.

- `record_cds_feedback`: one audit entry per feedback item (action
  `cds-feedback-<outcome>`, record type `cds-card`, who = the CDS client as
  `cds:<iss>`, role `cds-client`, no owm user), all items in one transaction.
- `accept_token_once`: the `cds_seen_token` table, shared by every process; the
  key is the primary key, so two processes accepting the same token at the same
  moment collide on it and only one wins.
- `patient_with_mrn`, `ward_timezones`: reads, in read-only transactions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from owm.store.audit import AuditWho, append
from owm.store.models import CdsSeenToken, Patient, Ward
from owm.store.uow import UnitOfWork

__all__ = [
    "CdsFeedback",
    "PatientWard",
    "accept_token_once",
    "patient_with_mrn",
    "record_cds_feedback",
    "token_key",
    "ward_timezones",
]

_MAX_NAME = 100
_MAX_ID = 60


@dataclass(frozen=True, slots=True)
class CdsFeedback:
    """One feedback item as the audit trail keeps it."""

    issuer: str
    """The CDS client's `iss`."""
    client_address: str | None
    outcome: str
    """accepted or overridden."""
    card: str
    """The card's uuid."""
    received_at: datetime
    content: Mapping[str, Any]
    """The audit entry's `after`: what was sent and what owm knows of the card."""


def record_cds_feedback(uow: UnitOfWork, items: Sequence[CdsFeedback]) -> int:
    """Append one audit entry per item, all in one transaction; the number appended."""
    with uow:
        for item in items:
            who = AuditWho(
                user_id=None,
                username=f"cds:{item.issuer}"[:_MAX_NAME],
                role="cds-client",
                client_address=(item.client_address or None) and item.client_address[:_MAX_NAME],
            )
            append(
                uow.session,
                who,
                action=f"cds-feedback-{item.outcome}",
                record_type="cds-card",
                record_id=item.card[:_MAX_ID],
                before=None,
                after=dict(item.content),
                at=item.received_at,
            )
        uow.commit()
    return len(items)


def token_key(iss: str, jti: str) -> str:
    """The stored key of a token: SHA-256 of its issuer and id."""
    return hashlib.sha256(f"{iss}\n{jti}".encode()).hexdigest()


def accept_token_once(
    uow: UnitOfWork,
    *,
    iss: str,
    jti: str,
    expires_at: datetime,
    now: datetime,
    sweep: bool = False,
) -> bool:
    """Remember (iss, jti) until `expires_at`; False when it was accepted before and has not
    expired. With `sweep`, rows of expired tokens are deleted first."""
    key = token_key(iss, jti)
    try:
        with uow:
            session = uow.session
            if sweep:
                session.execute(delete(CdsSeenToken).where(CdsSeenToken.expires_at <= now))
            row = session.get(CdsSeenToken, key)
            if row is not None:
                if row.expires_at > now:
                    return False
                row.expires_at = expires_at
            else:
                session.add(CdsSeenToken(key=key, expires_at=expires_at))
            uow.commit()
    except IntegrityError:
        return False  # another process accepted the same token a moment ago
    return True


@dataclass(frozen=True, slots=True)
class PatientWard:
    """owm's patient with an MRN, and the time zone of their ward."""

    id: int
    timezone: str


def patient_with_mrn(uow: UnitOfWork, mrn: str) -> PatientWard | None:
    """owm's patient whose MRN is exactly `mrn`, with their ward's time zone (None: no such)."""
    with uow.read():
        row = uow.session.execute(
            select(Patient.id, Ward.timezone)
            .join(Ward, Ward.id == Patient.ward_id)
            .where(Patient.mrn == mrn)
        ).first()
    return PatientWard(id=row[0], timezone=row[1]) if row is not None else None


def ward_timezones(uow: UnitOfWork) -> tuple[str, ...]:
    """The time zone of every ward, in the order the wards were made."""
    with uow.read():
        return tuple(uow.session.execute(select(Ward.timezone).order_by(Ward.id)).scalars())
