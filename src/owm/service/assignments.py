"""Assign patients to nurses: the nurse looking after each episode now, and since when.

Why: each nurse needs the list of what is due and overdue for their own patients
(`GET /due`), and the ward needs to see who looks after whom. Nurses and
physicians assign (the nurse in charge at the start of a shift, a nurse taking a
patient over, a physician on a ward round); only an active nurse can be assigned.
Assigning another nurse ends the current assignment and starts a new one in the
same transaction (serialised per episode like every write to a patient's record),
so the history of who looked after the patient, and who decided it, is kept and
audited. Assigning the nurse already assigned changes nothing. A discharge ends
the episode's assignment (`end_assignment`, inside the discharge's transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from owm.service.actor import Actor
from owm.service.common import Acting, audit, begin, load_episode, load_ward, lock_episode, snapshot
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.staff import names_of
from owm.store.models import Episode, NurseAssignment, Patient, User
from owm.store.uow import UnitOfWork

__all__ = [
    "AssignmentView",
    "assign_nurse",
    "assignment_history",
    "current_assignments",
    "end_assignment",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignmentView:
    """One assignment of a nurse to an episode, with the names a page shows."""

    id: int
    episode_id: int
    nurse_id: int
    nurse_name: str
    from_at: datetime
    until_at: datetime | None
    entered_by: int
    entered_by_name: str
    ended_by: int | None = None
    replayed: bool = False

    @property
    def current(self) -> bool:
        return self.until_at is None


def _views(session: Session, rows: list[NurseAssignment]) -> list[AssignmentView]:
    names = names_of(session, [i for r in rows for i in (r.nurse_id, r.entered_by)])

    def name(user_id: int) -> str:
        member = names.get(user_id)
        return member.name if member is not None else f"user {user_id}"

    return [
        AssignmentView(
            id=r.id,
            episode_id=r.episode_id,
            nurse_id=r.nurse_id,
            nurse_name=name(r.nurse_id),
            from_at=r.from_at,
            until_at=r.until_at,
            entered_by=r.entered_by,
            entered_by_name=name(r.entered_by),
            ended_by=r.ended_by,
        )
        for r in rows
    ]


def _current(session: Session, episode_id: int) -> NurseAssignment | None:
    return session.execute(
        select(NurseAssignment).where(
            NurseAssignment.episode_id == episode_id, NurseAssignment.until_at.is_(None)
        )
    ).scalar_one_or_none()


def end_assignment(uow: UnitOfWork, acting: Acting, episode: Episode, at: datetime) -> None:
    """End the episode's current assignment at `at` (inside a transaction already open;
    `at` is when the change is recorded, never before the assignment began)."""
    row = _current(uow.session, episode.id)
    if row is None:
        return
    before = snapshot(row)
    row.until_at = max(at, row.from_at)
    row.ended_by = acting.user_id
    audit(uow, acting, "nurse_assignment.end", row, before=before)


def assign_nurse(
    uow: UnitOfWork, actor: Actor, *, episode_id: int, nurse_id: int | None
) -> AssignmentView | None:
    """Assign the nurse `nurse_id` to the open episode from now (None: nobody).

    The current assignment, if any, ends now. The nurse must be an active user
    with the nurse role (InputError naming `nurse_id` otherwise). The nurse
    already assigned again is no change (`replayed=True`). Returns the current
    assignment (None after unassigning).
    """
    if nurse_id is not None and (isinstance(nurse_id, bool) or not isinstance(nurse_id, int)):
        raise InputError("nurse_id", nurse_id, "the id of an active nurse, or nothing")
    with uow:
        acting = begin(uow, actor, Permission.ASSIGN_NURSE)
        session = uow.session
        episode = lock_episode(session, episode_id, open_only=True)
        if nurse_id is not None:
            nurse = session.get(User, nurse_id)
            if nurse is None or not nurse.active or nurse.role != "nurse":
                raise InputError("nurse_id", nurse_id, "the id of an active nurse")
        current = _current(session, episode.id)
        if current is not None and current.nurse_id == nurse_id:
            (found,) = _views(session, [current])
            return replace(found, replayed=True)
        if current is None and nurse_id is None:
            return None
        now = uow.now()
        if current is not None:
            end_assignment(uow, acting, episode, now)
            session.flush()
        if nurse_id is None:
            uow.commit()
            return None
        row = NurseAssignment(
            episode_id=episode.id,
            nurse_id=nurse_id,
            from_at=now,
            entered_by=acting.user_id,
            entered_at=now,
        )
        session.add(row)
        audit(uow, acting, "nurse_assignment.start", row)
        (made,) = _views(session, [row])
        uow.commit()
        return made


def assignment_history(uow: UnitOfWork, actor: Actor, *, episode_id: int) -> list[AssignmentView]:
    """Every assignment of the episode, newest first (the current one, if any, first)."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        load_episode(uow.session, episode_id)
        rows = list(
            uow.session.execute(
                select(NurseAssignment)
                .where(NurseAssignment.episode_id == episode_id)
                .order_by(NurseAssignment.from_at.desc(), NurseAssignment.id.desc())
            ).scalars()
        )
        return _views(uow.session, rows)


def current_assignments(
    uow: UnitOfWork, actor: Actor, *, ward_id: int
) -> dict[int, AssignmentView]:
    """The current assignment of each open episode on the ward, by episode id
    (episodes with nobody assigned are absent)."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        load_ward(uow.session, ward_id)
        rows = list(
            uow.session.execute(
                select(NurseAssignment)
                .join(Episode, Episode.id == NurseAssignment.episode_id)
                .join(Patient, Patient.id == Episode.patient_id)
                .where(
                    Patient.ward_id == ward_id,
                    Episode.discharged_at.is_(None),
                    NurseAssignment.until_at.is_(None),
                )
            ).scalars()
        )
        return {view.episode_id: view for view in _views(uow.session, rows)}
