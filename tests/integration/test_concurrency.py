"""Dosing that can never double: 100 nurses press Give for the same patient at once.

Each thread is its own request (its own unit of work and connection). On
PostgreSQL the episode row lock serialises them; on SQLite the `BEGIN IMMEDIATE`
write transaction does. Exactly one dose is recorded; every other request gets
the refusal (minimum interval) or, when it carried the winner's idempotency key,
the same answer again.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from owm.service import dosing
from owm.service.errors import DoseRefused
from owm.service.results import DoseResult
from owm.store.audit import verify

from .helpers import make_world

THREADS = 100
KEYS = 10


def test_a_hundred_simultaneous_gives_record_exactly_one_dose(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    world.advance(minutes=5)
    barrier = threading.Barrier(THREADS)

    def press_give(i: int) -> DoseResult | DoseRefused:
        uow = world.uow()
        barrier.wait()
        try:
            return dosing.give_dose(
                uow, world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key=f"k{i % KEYS}"
            )
        except DoseRefused as refused:
            return refused

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(press_give, range(THREADS)))

    recorded = [o for o in outcomes if isinstance(o, DoseResult) and not o.replayed]
    replays = [o for o in outcomes if isinstance(o, DoseResult) and o.replayed]
    refusals = [o for o in outcomes if isinstance(o, DoseRefused)]
    assert len(recorded) == 1
    winner = recorded[0].administration
    assert len(replays) == THREADS // KEYS - 1
    assert all(r.administration.id == winner.id for r in replays)
    assert len(refusals) == THREADS - THREADS // KEYS
    assert all(r.reasons == ("min-interval",) for r in refusals)

    with database.engine.connect() as c:
        rows = c.execute(
            text("SELECT id, dose_ug, idempotency_key FROM administration WHERE episode_id = :e"),
            {"e": episode},
        ).all()
        assert [tuple(r) for r in rows] == [(winner.id, 500, winner.idempotency_key)]
        gives = c.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'administration.give'")
        ).scalar_one()
        assert gives == 1
    with database.uow().read() as uow:
        assert verify(uow.session).ok


def test_the_same_form_sent_by_ten_threads_at_once_is_recorded_once(database):
    from owm.service.assessments import record_assessment

    from .helpers import COWS_MODERATE

    world = make_world(database)
    episode = world.admit()
    barrier = threading.Barrier(10)

    def send(_: int) -> int:
        uow = world.uow()
        barrier.wait()
        return record_assessment(
            uow,
            world.nurse,
            episode_id=episode,
            instrument="COWS",
            items=COWS_MODERATE,
            idempotency_key="form-42",
        ).id

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(send, range(10)))
    assert len(ids) == 1
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM assessment")).scalar_one() == 1
