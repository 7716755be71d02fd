"""Audit a failed sign-in for a username that does not exist.

Why: `authenticate` audits attempts for known usernames (against the user's row).
Attempts with unknown usernames are how password spraying and credential stuffing
show up, so the HTTP layer records them too, with the name as typed and the client
address. The login rate limit bounds how many one address can write.
"""

from __future__ import annotations

from sqlalchemy import select

from owm.store.audit import AuditWho, append
from owm.store.models import User
from owm.store.uow import UnitOfWork

__all__ = ["record_unknown_sign_in"]

_MAX_NAME = 100


def record_unknown_sign_in(
    uow: UnitOfWork, *, username: str, client_address: str | None = None
) -> bool:
    """Audit a failed sign-in when no user has `username`; True when an entry was written.

    A known username is left alone (`authenticate` has audited it already).
    """
    name = (username if isinstance(username, str) else str(username))[:_MAX_NAME]
    with uow:
        exists = uow.session.execute(select(User.id).where(User.username == username)).first()
        if exists is not None:
            return False
        append(
            uow.session,
            AuditWho(user_id=None, username=name, role="anonymous", client_address=client_address),
            action="user.sign-in-failed",
            record_type="app_user",
            record_id=None,
            before=None,
            after={"reason": "unknown username", "username": name},
            at=uow.now(),
        )
        uow.commit()
        return True
