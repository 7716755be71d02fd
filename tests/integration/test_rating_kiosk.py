"""The rating kiosk link, on every database: opened by a nurse for one episode, it records
one rating and is used up with it; used, expired, replaced or orphaned links open nothing;
two presses at once record one rating; the token itself is never stored."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from owm.service import users
from owm.service.errors import Conflict, InputError, PermissionDenied
from owm.service.feedback import rate_stay
from owm.service.rating_kiosk import (
    KIOSK_LIFETIME,
    RatingLinkClosed,
    open_rating_kiosk,
    rate_stay_at_kiosk,
    rating_kiosk_page,
)
from owm.service.results import RatingView

from .helpers import make_world


def _ratings(database) -> list[tuple[int, str | None, int]]:  # type: ignore[no-untyped-def]
    with database.engine.connect() as c:
        rows = c.execute(text("SELECT stars, comment, entered_by FROM patient_rating")).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_rating_link_records_one_rating_as_entered_by_the_nurse_who_opened_it(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    assert link.expires_at == world.clock() + KIOSK_LIFETIME

    page = rating_kiosk_page(world.uow(), token=link.token)
    assert (page.episode_id, page.ward_name) == (episode, "Ward 7")

    rated = rate_stay_at_kiosk(
        world.uow(), token=link.token, stars=4, comment="Kind staff", client_address="10.0.0.9"
    )

    assert (rated.stars, rated.comment) == (4, "Kind staff")
    assert _ratings(database) == [(4, "Kind staff", world.nurse.user_id)]
    with database.engine.connect() as c:
        audit = c.execute(
            text(
                "SELECT action, username, client_address, after FROM audit_log "
                "WHERE action IN ('patient_rating.record', 'rating_kiosk.use') ORDER BY seq"
            )
        ).all()
        stored = c.execute(text("SELECT token_hash, used_at FROM rating_kiosk")).one()
        everything = " ".join(
            str(v)
            for row in c.execute(text("SELECT before, after FROM audit_log")).all()
            for v in row
        )
    assert [(a, u, addr) for a, u, addr, _ in audit] == [
        ("patient_rating.record", "nurse1", "10.0.0.9"),
        ("rating_kiosk.use", "nurse1", "10.0.0.9"),
    ]
    assert json.loads(audit[0][3])["via"] == "rating kiosk"
    assert stored[0] != link.token and len(stored[0]) == 64 and stored[1] is not None
    assert link.token not in everything


def test_a_used_link_opens_nothing_and_records_nothing_more(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    rate_stay_at_kiosk(world.uow(), token=link.token, stars=5)

    with pytest.raises(RatingLinkClosed):
        rating_kiosk_page(world.uow(), token=link.token)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=link.token, stars=1)
    assert [s for s, _, _ in _ratings(database)] == [5]
    # The stay is rated: no new link can be opened for it.
    with pytest.raises(Conflict, match="already been rated"):
        open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)


def test_a_link_expires(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    world.advance(seconds=KIOSK_LIFETIME.total_seconds() - 1)
    rating_kiosk_page(world.uow(), token=link.token)
    world.advance(seconds=1)
    with pytest.raises(RatingLinkClosed):
        rating_kiosk_page(world.uow(), token=link.token)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=link.token, stars=3)
    assert _ratings(database) == []


def test_a_new_link_for_the_episode_replaces_the_earlier_one(database):
    world = make_world(database)
    episode = world.admit()
    first = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    second = open_rating_kiosk(world.uow(), world.physician, episode_id=episode)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=first.token, stars=2)
    rated = rate_stay_at_kiosk(world.uow(), token=second.token, stars=3)
    assert rated.stars == 3
    assert _ratings(database) == [(3, None, world.physician.user_id)]


@pytest.mark.parametrize("token", ["", "x" * 43, "not a token", "y" * 500])
def test_an_unknown_token_opens_nothing(database, token):
    world = make_world(database)
    world.admit()
    with pytest.raises(RatingLinkClosed):
        rating_kiosk_page(world.uow(), token=token)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=token, stars=3)


def test_a_link_closes_when_its_opener_is_deactivated(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    users.deactivate_user(world.uow(), world.admin, user_id=world.nurse.user_id)
    with pytest.raises(RatingLinkClosed):
        rating_kiosk_page(world.uow(), token=link.token)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=link.token, stars=3)
    assert _ratings(database) == []


def test_bad_stars_are_refused_naming_the_field_and_the_link_still_works(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    for stars in (0, 6, True, "4"):
        with pytest.raises(InputError) as refused:
            rate_stay_at_kiosk(world.uow(), token=link.token, stars=stars)  # type: ignore[arg-type]
        assert refused.value.field == "stars"
    assert rate_stay_at_kiosk(world.uow(), token=link.token, stars=4).stars == 4


def test_a_rating_recorded_meanwhile_by_staff_closes_the_link(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    rate_stay(world.uow(), world.nurse, episode_id=episode, stars=2)
    with pytest.raises(RatingLinkClosed):
        rate_stay_at_kiosk(world.uow(), token=link.token, stars=5)
    assert [s for s, _, _ in _ratings(database)] == [2]


@pytest.mark.parametrize("role", ["pharmacist", "admin"])
def test_only_nurses_and_physicians_open_a_rating_link(database, role):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(PermissionDenied):
        open_rating_kiosk(world.uow(), getattr(world, role), episode_id=episode)


def test_two_presses_at_the_same_moment_record_one_rating(database):
    world = make_world(database)
    episode = world.admit()
    link = open_rating_kiosk(world.uow(), world.nurse, episode_id=episode)
    presses = 6
    barrier = threading.Barrier(presses)

    def press(stars: int) -> RatingView | RatingLinkClosed:
        uow = world.uow()
        barrier.wait()
        try:
            return rate_stay_at_kiosk(uow, token=link.token, stars=stars)
        except RatingLinkClosed as closed:
            return closed

    with ThreadPoolExecutor(max_workers=presses) as pool:
        outcomes = list(pool.map(press, [1 + i % 5 for i in range(presses)]))

    recorded = [o for o in outcomes if isinstance(o, RatingView)]
    assert len(recorded) == 1
    assert len([o for o in outcomes if isinstance(o, RatingLinkClosed)]) == presses - 1
    assert [s for s, _, _ in _ratings(database)] == [recorded[0].stars]
