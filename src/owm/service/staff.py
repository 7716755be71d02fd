"""The people behind the record, by name: who entered an entry, who looks after a patient.

Why a query of its own: the record stores user ids (`entered_by`, `voided_by`,
`nurse_id`), and a nurse reading the timeline must see "Nina Nurse", not
"user 7". Clinical roles (those who read records: nurses, physicians,
pharmacists) may see the names and roles of the staff; admins manage users
through `owm.service.users` instead. A deactivated user keeps their name in the
record (they still entered what they entered) and is marked as no longer active.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from owm.service.actor import Actor
from owm.service.common import begin
from owm.service.permissions import Permission
from owm.store.models import User
from owm.store.uow import UnitOfWork

__all__ = ["StaffMember", "active_nurses", "names_of", "staff_names"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffMember:
    """A member of staff as the record names them."""

    id: int
    name: str
    role: str
    active: bool

    @property
    def label(self) -> str:
        """Like "Nina Nurse (nurse)"; a deactivated user is marked "no longer active"."""
        gone = ", no longer active" if not self.active else ""
        return f"{self.name} ({self.role}{gone})"


def _member(user: User) -> StaffMember:
    return StaffMember(
        id=user.id, name=user.full_name or user.username, role=user.role, active=user.active
    )


def names_of(session: Session, user_ids: Iterable[int | None]) -> dict[int, StaffMember]:
    """The staff members with these ids (inside a transaction a service already opened)."""
    wanted = sorted({i for i in user_ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(select(User).where(User.id.in_(wanted))).scalars()
    return {user.id: _member(user) for user in rows}


def staff_names(
    uow: UnitOfWork, actor: Actor, *, user_ids: Iterable[int | None]
) -> dict[int, StaffMember]:
    """Names and roles of the users with these ids (those who entered, voided or assigned
    records), for clinical roles; unknown ids are left out."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        return names_of(uow.session, user_ids)


def active_nurses(uow: UnitOfWork, actor: Actor) -> list[StaffMember]:
    """Every active nurse, by name: the people a patient can be assigned to."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        rows = uow.session.execute(
            select(User)
            .where(User.role == "nurse", User.active.is_(True))
            .order_by(User.full_name, User.username)
        ).scalars()
        return [_member(user) for user in rows]
