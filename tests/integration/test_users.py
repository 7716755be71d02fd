"""Users and access: argon2 passwords, deactivation, API tokens (hashed, expiring, revocable)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import text

from owm.service import users
from owm.service.errors import AuthenticationFailed, Conflict, InputError, PermissionDenied

from .helpers import make_world

PASSWORD = "correct horse battery"


def test_a_user_signs_in_with_the_right_password_only(database):
    world = make_world(database)
    actor = users.authenticate(
        world.uow(), username="nurse1", password=PASSWORD, client_address="10.0.0.7"
    )
    assert (actor.user_id, actor.role, actor.client_address) == (
        world.nurse.user_id,
        "nurse",
        "10.0.0.7",
    )
    with pytest.raises(AuthenticationFailed):
        users.authenticate(world.uow(), username="nurse1", password="wrong password!")
    with pytest.raises(AuthenticationFailed):
        users.authenticate(world.uow(), username="nobody", password=PASSWORD)
    with database.engine.connect() as c:
        stored = c.execute(
            text("SELECT password_hash FROM app_user WHERE username = 'nurse1'")
        ).scalar_one()
        actions = list(
            c.execute(
                text(
                    "SELECT action, client_address FROM audit_log WHERE action LIKE 'user.sign-in%' ORDER BY seq"
                )
            ).all()
        )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert [tuple(a) for a in actions] == [
        ("user.sign-in", "10.0.0.7"),
        ("user.sign-in-failed", None),
    ]


def test_a_deactivated_user_cannot_sign_in_or_use_a_token(database):
    world = make_world(database)
    token = users.issue_token(world.uow(), world.nurse, user_id=world.nurse.user_id, name="pda")
    users.deactivate_user(world.uow(), world.admin, user_id=world.nurse.user_id)
    with pytest.raises(AuthenticationFailed):
        users.authenticate(world.uow(), username="nurse1", password=PASSWORD)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(world.uow(), token=token.token)
    with pytest.raises(Conflict):
        users.deactivate_user(world.uow(), world.admin, user_id=world.admin.user_id)


def test_a_token_is_stored_only_as_its_hash_and_works_until_revoked_or_expired(database):
    world = make_world(database)
    issued = users.issue_token(
        world.uow(),
        world.nurse,
        user_id=world.nurse.user_id,
        name="pda",
        expires_in=timedelta(hours=1),
    )
    assert users.authenticate_token(world.uow(), token=issued.token).user_id == world.nurse.user_id
    with database.engine.connect() as c:
        stored = c.execute(text("SELECT token_hash FROM api_token")).scalar_one()
    assert stored == hashlib.sha256(issued.token.encode()).hexdigest()
    world.advance(hours=1)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(world.uow(), token=issued.token)
    other = users.issue_token(world.uow(), world.nurse, user_id=world.nurse.user_id, name="pc")
    users.revoke_token(world.uow(), world.nurse, token_id=other.info.id)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(world.uow(), token=other.token)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(world.uow(), token="owm_nonsense")


def test_only_admins_issue_tokens_for_someone_else(database):
    world = make_world(database)
    with pytest.raises(PermissionDenied):
        users.issue_token(world.uow(), world.nurse, user_id=world.physician.user_id, name="x")
    issued = users.issue_token(world.uow(), world.admin, user_id=world.physician.user_id, name="x")
    assert issued.info.user_id == world.physician.user_id
    with pytest.raises(PermissionDenied):
        users.revoke_token(world.uow(), world.nurse, token_id=issued.info.id)


def test_passwords_and_usernames_are_checked(database):
    world = make_world(database)
    with pytest.raises(InputError) as error:
        users.create_user(
            world.uow(), world.admin, username="x1", full_name="X", role="nurse", password="short"
        )
    assert error.value.field == "password" and "short" not in str(error.value)
    with pytest.raises(InputError):
        users.create_user(
            world.uow(),
            world.admin,
            username="Bad Name",
            full_name="X",
            role="nurse",
            password=PASSWORD,
        )
    with pytest.raises(InputError):
        users.create_user(
            world.uow(), world.admin, username="chef", full_name="X", role="chef", password=PASSWORD
        )
    with pytest.raises(Conflict):
        users.create_user(
            world.uow(),
            world.admin,
            username="nurse1",
            full_name="X",
            role="nurse",
            password=PASSWORD,
        )


def test_a_user_changes_their_own_password_only_with_the_current_one(database):
    world = make_world(database)
    with pytest.raises(PermissionDenied):
        users.set_password(
            world.uow(),
            world.nurse,
            user_id=world.nurse.user_id,
            new_password="a brand new password",
            current_password="guess guess",
        )
    users.set_password(
        world.uow(),
        world.nurse,
        user_id=world.nurse.user_id,
        new_password="a brand new password",
        current_password=PASSWORD,
    )
    users.authenticate(world.uow(), username="nurse1", password="a brand new password")
    users.set_password(
        world.uow(), world.admin, user_id=world.nurse.user_id, new_password="reset by the admin"
    )
    users.authenticate(world.uow(), username="nurse1", password="reset by the admin")
    with database.engine.connect() as c:
        after = list(
            c.execute(
                text("SELECT after FROM audit_log WHERE action = 'user.set-password'")
            ).scalars()
        )
    assert len(after) == 2 and all("argon2" not in a for a in after)


def test_admins_list_users_and_others_see_only_themselves(database):
    world = make_world(database)
    assert [u.username for u in users.list_users(world.uow(), world.admin)] == [
        "admin1",
        "nurse1",
        "pharmacist1",
        "physician1",
    ]
    assert (
        users.get_user(world.uow(), world.nurse, user_id=world.nurse.user_id).username == "nurse1"
    )
    with pytest.raises(PermissionDenied):
        users.get_user(world.uow(), world.nurse, user_id=world.admin.user_id)
