"""The ward's phone contact: set by admins only, audited, checked, on every database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from owm.service import wards
from owm.service.errors import InputError, PermissionDenied

from .helpers import make_world


def test_an_admin_sets_the_ward_contact_with_before_and_after_in_the_audit_trail(database):
    world = make_world(database)
    assert wards.get_ward(world.uow(), world.nurse, ward_id=world.ward_id).contact is None

    saved = wards.set_ward_contact(
        world.uow(), world.admin, ward_id=world.ward_id, contact=" 020 7946 0321 (station) "
    )

    assert saved.contact == "020 7946 0321 (station)"
    assert wards.get_ward(world.uow(), world.nurse, ward_id=world.ward_id).contact == (
        "020 7946 0321 (station)"
    )
    with database.engine.connect() as c:
        before, after = c.execute(
            text("SELECT before, after FROM audit_log WHERE action = 'ward.contact'")
        ).one()
    assert json.loads(before)["contact"] is None
    assert json.loads(after)["contact"] == "020 7946 0321 (station)"


def test_the_same_contact_again_writes_nothing_and_blank_clears_it(database):
    world = make_world(database)
    wards.set_ward_contact(world.uow(), world.admin, ward_id=world.ward_id, contact="0100 000")
    wards.set_ward_contact(world.uow(), world.admin, ward_id=world.ward_id, contact="0100 000")
    cleared = wards.set_ward_contact(world.uow(), world.admin, ward_id=world.ward_id, contact=" ")
    assert cleared.contact is None
    with database.engine.connect() as c:
        count = c.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'ward.contact'")
        ).scalar_one()
    assert count == 2


@pytest.mark.parametrize(
    ("contact", "allowed"),
    [
        ("ask at reception", "a phone number"),
        ("0100\n000", "one line"),
        ("0" * 101, "at most 100 characters"),
    ],
)
def test_a_contact_without_a_number_or_too_long_is_refused_naming_the_field(
    database, contact, allowed
):
    world = make_world(database)
    with pytest.raises(InputError) as refused:
        wards.set_ward_contact(world.uow(), world.admin, ward_id=world.ward_id, contact=contact)
    assert refused.value.field == "contact" and allowed in str(refused.value)
    with database.engine.connect() as c:
        assert c.execute(text("SELECT contact FROM ward")).scalar_one() is None


@pytest.mark.parametrize("role", ["nurse", "physician", "pharmacist"])
def test_only_admins_set_the_ward_contact(database, role):
    world = make_world(database)
    with pytest.raises(PermissionDenied):
        wards.set_ward_contact(
            world.uow(), getattr(world, role), ward_id=world.ward_id, contact="0100 000"
        )


def test_a_ward_can_be_created_with_its_contact(database):
    from owm.service.actor import Actor

    world = make_world(database)
    made = wards.create_ward(
        world.uow(),
        Actor.system("test"),
        name="Ward 8",
        timezone="Europe/London",
        protocol_id="clonazepam-adjunct",
        contact="0100 888",
    )
    assert made.contact == "0100 888"
