"""Patients assigned to nurses, with history; the names of staff for clinical roles.

On every database: an assignment starts and ends with who decided it (audited),
another nurse ends the current one, the same nurse again changes nothing, a
discharge ends it, only active nurses can be assigned, and the ward's current
assignments are those of open episodes.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from owm.service import users
from owm.service.actor import Actor
from owm.service.assignments import assign_nurse, assignment_history, current_assignments
from owm.service.discharge import discharge
from owm.service.errors import Conflict, InputError, PermissionDenied
from owm.service.staff import active_nurses, staff_names

from .helpers import make_world


def _second_nurse(world) -> Actor:  # type: ignore[no-untyped-def]
    made = users.create_user(
        world.uow(),
        Actor.system("test"),
        username="nurse2",
        full_name="Bea Second",
        role="nurse",
        password="correct horse battery",
    )
    return Actor(user_id=made.id, role="nurse")


def _actions(database) -> list[tuple[str, dict, dict]]:  # type: ignore[no-untyped-def]
    with database.engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT action, before, after FROM audit_log "
                "WHERE record_type = 'nurse_assignment' ORDER BY seq"
            )
        ).all()
    return [(a, json.loads(b) if b else {}, json.loads(f)) for a, b, f in rows]


def test_a_nurse_takes_a_patient_and_hands_over_to_another_with_history(database):
    world = make_world(database)
    episode = world.admit()
    other = _second_nurse(world)

    first = assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    assert first is not None and first.nurse_name == "A Nurse" and first.current
    world.advance(hours=8)
    second = assign_nurse(world.uow(), world.physician, episode_id=episode, nurse_id=other.user_id)
    assert second is not None and second.nurse_name == "Bea Second"
    assert second.entered_by_name == "A Physician"

    history = assignment_history(world.uow(), world.pharmacist, episode_id=episode)
    assert [a.nurse_name for a in history] == ["Bea Second", "A Nurse"]
    assert history[1].until_at == history[0].from_at == world.clock()
    assert history[1].ended_by == world.physician.user_id
    assert [a for a, _, _ in _actions(database)] == [
        "nurse_assignment.start",
        "nurse_assignment.end",
        "nurse_assignment.start",
    ]
    _, before, after = _actions(database)[1]
    assert before["until_at"] is None and after["until_at"] is not None


def test_the_nurse_already_assigned_again_changes_nothing(database):
    world = make_world(database)
    episode = world.admit()
    assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    again = assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    assert again is not None and again.replayed
    assert len(_actions(database)) == 1


def test_unassigning_ends_the_assignment_and_nobody_again_is_no_change(database):
    world = make_world(database)
    episode = world.admit()
    assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    assert assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=None) is None
    assert assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=None) is None
    assert current_assignments(world.uow(), world.nurse, ward_id=world.ward_id) == {}
    assert [a for a, _, _ in _actions(database)] == [
        "nurse_assignment.start",
        "nurse_assignment.end",
    ]


@pytest.mark.parametrize("who", ["physician", "admin", "unknown", "inactive", "text"])
def test_only_an_active_nurse_can_be_assigned(database, who):
    world = make_world(database)
    episode = world.admit()
    nurse_id: object = {
        "physician": world.physician.user_id,
        "admin": world.admin.user_id,
        "unknown": 9999,
        "text": "nurse1",
    }.get(who)
    if who == "inactive":
        other = _second_nurse(world)
        users.deactivate_user(world.uow(), world.admin, user_id=other.user_id)
        nurse_id = other.user_id
    with pytest.raises(InputError) as refused:
        assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=nurse_id)  # type: ignore[arg-type]
    assert refused.value.field == "nurse_id"
    assert _actions(database) == []


@pytest.mark.parametrize("role", ["pharmacist", "admin"])
def test_pharmacists_and_admins_do_not_assign(database, role):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(PermissionDenied):
        assign_nurse(
            world.uow(), getattr(world, role), episode_id=episode, nurse_id=world.nurse.user_id
        )


def test_a_discharge_ends_the_assignment_and_a_discharged_episode_takes_none(database):
    world = make_world(database)
    episode = world.admit()
    assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    world.advance(hours=30)
    discharge(
        world.uow(),
        world.nurse,
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    (ended,) = assignment_history(world.uow(), world.nurse, episode_id=episode)
    assert ended.until_at == world.clock() and ended.ended_by == world.nurse.user_id
    with pytest.raises(Conflict):
        assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)


def test_the_wards_current_assignments_are_those_of_open_episodes(database):
    world = make_world(database)
    mine = world.admit("M-1")
    other_nurse = _second_nurse(world)
    theirs = world.admit("M-2")
    world.admit("M-3")
    assign_nurse(world.uow(), world.nurse, episode_id=mine, nurse_id=world.nurse.user_id)
    assign_nurse(world.uow(), world.nurse, episode_id=theirs, nurse_id=other_nurse.user_id)

    current = current_assignments(world.uow(), world.physician, ward_id=world.ward_id)

    assert {e: a.nurse_id for e, a in current.items()} == {
        mine: world.nurse.user_id,
        theirs: other_nurse.user_id,
    }
    with pytest.raises(PermissionDenied):
        current_assignments(world.uow(), world.admin, ward_id=world.ward_id)


def test_a_second_current_assignment_for_one_episode_is_refused_by_the_database(database):
    from owm.store.models import NurseAssignment

    world = make_world(database)
    episode = world.admit()
    assign_nurse(world.uow(), world.nurse, episode_id=episode, nurse_id=world.nurse.user_id)
    with world.uow() as uow:
        uow.session.add(
            NurseAssignment(
                episode_id=episode,
                nurse_id=world.nurse.user_id,
                from_at=world.clock(),
                entered_by=world.nurse.user_id,
                entered_at=world.clock(),
            )
        )
        with pytest.raises(Exception, match=r"(?i)unique"):
            uow.session.flush()


def test_staff_names_are_for_clinical_roles_and_name_deactivated_staff(database):
    world = make_world(database)
    other = _second_nurse(world)
    users.deactivate_user(world.uow(), world.admin, user_id=other.user_id)

    names = staff_names(
        world.uow(),
        world.pharmacist,
        user_ids=[world.nurse.user_id, other.user_id, world.physician.user_id, 9999, None],
    )

    assert names[world.nurse.user_id].label == "A Nurse (nurse)"
    assert names[world.physician.user_id].label == "A Physician (physician)"
    assert names[other.user_id].label == "Bea Second (nurse, no longer active)"
    assert 9999 not in names
    with pytest.raises(PermissionDenied):
        staff_names(world.uow(), world.admin, user_ids=[world.nurse.user_id])
    assert [n.name for n in active_nurses(world.uow(), world.physician)] == ["A Nurse"]
