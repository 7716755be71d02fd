"""Admissions and problem reports sent twice: the form's key is stored under a unique index,
so the same key returns the first result, on every database and when both copies
arrive at the same moment (threads, each its own request and connection)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from owm.service import admission, feedback
from owm.service.errors import Conflict
from owm.service.results import AdmissionResult, ProblemReportView

from .helpers import make_world

COPIES = 8


def _admit(world: Any, key: str | None, mrn: str = "K-1", **extra: Any) -> AdmissionResult:
    return admission.admit(
        world.uow(),
        world.nurse,
        ward_id=world.ward_id,
        name="Kim Twice",
        mrn=mrn,
        age_years=30,
        first_line_offered=True,
        first_line_choice="declined",
        idempotency_key=key,
        **extra,
    )


def _count(database: Any, table: str) -> int:
    with database.engine.connect() as c:
        return int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_same_admission_key_twice_returns_the_first_admission(database):
    world = make_world(database)
    first = _admit(world, "form-1")
    world.advance(hours=2)
    again = _admit(world, "form-1")

    assert not first.replayed and again.replayed
    assert again.episode == first.episode and again.patient.id == first.patient.id
    assert _count(database, "episode") == 1
    with database.engine.connect() as c:
        stored = c.execute(text("SELECT idempotency_key FROM episode")).scalar_one()
        admits = c.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'episode.admit'")
        ).scalar_one()
    assert stored == "form-1" and admits == 1


def test_without_a_key_a_second_admission_is_the_open_episode_conflict(database):
    world = make_world(database)
    _admit(world, None)
    with pytest.raises(Conflict, match="open episode"):
        _admit(world, None)


def test_an_admission_key_used_for_another_patient_is_a_conflict_and_stores_nothing(database):
    world = make_world(database)
    _admit(world, "form-1", mrn="K-1")
    with pytest.raises(Conflict, match="another patient"):
        _admit(world, "form-1", mrn="K-2")
    assert _count(database, "patient") == 1 and _count(database, "episode") == 1


def test_a_returning_patients_admission_key_replays_after_discharge_and_readmission(database):
    from owm.service.discharge import discharge

    world = make_world(database)
    first = _admit(world, "stay-1")
    world.advance(days=2)
    discharge(
        world.uow(),
        world.nurse,
        episode_id=first.episode.id,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    world.advance(days=30)
    second = _admit(world, "stay-2")
    assert not second.replayed and second.episode.id != first.episode.id
    assert _admit(world, "stay-2").episode.id == second.episode.id
    assert _admit(world, "stay-1").episode.id == first.episode.id
    assert _count(database, "episode") == 2


@pytest.mark.parametrize("returning", [False, True], ids=["new-patient", "returning-patient"])
def test_the_same_admission_sent_at_the_same_moment_opens_one_episode(database, returning):
    world = make_world(database)
    if returning:
        from owm.service.discharge import discharge

        earlier = _admit(world, None)
        discharge(
            world.uow(),
            world.nurse,
            episode_id=earlier.episode.id,
            moud_referral="declined",
            naloxone_supplied=True,
            psychotherapy_referral=False,
        )
        world.advance(days=1)
    barrier = threading.Barrier(COPIES)

    def send(_: int) -> AdmissionResult:
        uow = world.uow()
        barrier.wait()
        return admission.admit(
            uow,
            world.nurse,
            ward_id=world.ward_id,
            name="Kim Twice",
            mrn="K-1",
            age_years=30,
            first_line_offered=True,
            first_line_choice="declined",
            idempotency_key="same-form",
        )

    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        results = list(pool.map(send, range(COPIES)))

    made = [r for r in results if not r.replayed]
    assert len(made) == 1
    assert {r.episode.id for r in results} == {made[0].episode.id}
    assert _count(database, "episode") == (2 if returning else 1)
    assert _count(database, "patient") == 1


def test_the_same_problem_report_key_twice_is_one_report(database):
    world = make_world(database)
    episode = world.admit("R-1")
    first = feedback.report_problem(
        world.uow(), world.nurse, text="Wrong band", episode_id=episode, idempotency_key="p-1"
    )
    world.advance(hours=3)
    again = feedback.report_problem(
        world.uow(), world.nurse, text=" Wrong band ", episode_id=episode, idempotency_key="p-1"
    )
    assert again.replayed and again.id == first.id
    assert _count(database, "problem_report") == 1


def test_a_problem_report_key_is_each_reporters_own(database):
    world = make_world(database)
    episode = world.admit("R-1")
    mine = feedback.report_problem(
        world.uow(), world.nurse, text="Wrong band", episode_id=episode, idempotency_key="p-1"
    )
    theirs = feedback.report_problem(
        world.uow(), world.physician, text="Wrong band", episode_id=episode, idempotency_key="p-1"
    )
    assert theirs.id != mine.id and not theirs.replayed
    # Without a key every report is a new one, however alike.
    feedback.report_problem(world.uow(), world.nurse, text="Wrong band", episode_id=episode)
    feedback.report_problem(world.uow(), world.nurse, text="Wrong band", episode_id=episode)
    assert _count(database, "problem_report") == 4


def test_a_problem_report_key_with_other_words_is_a_conflict(database):
    world = make_world(database)
    episode = world.admit("R-1")
    feedback.report_problem(
        world.uow(), world.nurse, text="Wrong band", episode_id=episode, idempotency_key="p-1"
    )
    with pytest.raises(Conflict, match="another problem report"):
        feedback.report_problem(
            world.uow(), world.nurse, text="Other words", episode_id=episode, idempotency_key="p-1"
        )
    assert _count(database, "problem_report") == 1


def test_the_same_problem_report_sent_at_the_same_moment_is_stored_once(database):
    world = make_world(database)
    episode = world.admit("R-1")
    barrier = threading.Barrier(COPIES)

    def send(_: int) -> ProblemReportView:
        uow = world.uow()
        barrier.wait()
        return feedback.report_problem(
            uow, world.nurse, text="Dose too high?", episode_id=episode, idempotency_key="same"
        )

    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        results = list(pool.map(send, range(COPIES)))

    assert len([r for r in results if not r.replayed]) == 1
    assert len({r.id for r in results}) == 1
    assert _count(database, "problem_report") == 1
