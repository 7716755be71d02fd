"""A whole ward's states read at once are the states each patient's own path builds.

The board and the handoff read every kind of record for all the ward's episodes in
one query each (`build_states`, `decide_many`); the dosing guard reads one episode
(`build_state`, `decide`). Both feed the same `state_from_records`, and this test
holds them to it on the demo ward, whose record has every kind of entry (voided
ones, "unable to assess", late charting, acknowledgements, medicines changed and
stopped, alcohol), at several decision times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from owm.cli.demo import populate
from owm.service.recommendation import decide, decide_many
from owm.service.state_builder import build_state, build_states
from owm.store.models import Episode, Patient
from owm.store.uow import FixedClock

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
KINDS = (
    "alcohol",
    "medications",
    "assessments",
    "vitals",
    "sedation",
    "symptoms",
    "administrations",
    "side_effects",
    "acknowledgements",
)


def _episodes(database, *, open_only: bool) -> list[tuple[int, int]]:
    query = select(Patient.id, Episode.id).join(Episode, Episode.patient_id == Patient.id)
    if open_only:
        query = query.where(Episode.discharged_at.is_(None))
    with database.uow(FixedClock(NOW)).read() as reading:
        return [(p, e) for p, e in reading.session.execute(query.order_by(Episode.id)).all()]


def _batch_states(database, ids: list[tuple[int, int]], at: datetime) -> list[dict]:
    with database.uow(FixedClock(NOW)).read() as reading:
        session = reading.session
        pairs = [(session.get(Patient, p), session.get(Episode, e)) for p, e in ids]
        return build_states(session, pairs, at)  # type: ignore[arg-type]


def _single_state(database, episode_id: int, at: datetime) -> dict:
    with database.uow(FixedClock(NOW)).read() as reading:
        episode = reading.session.get(Episode, episode_id)
        assert episode is not None
        return build_state(reading.session, episode, at)


def test_a_ward_read_at_once_gives_each_patient_the_state_of_their_own_path(database):
    populate(database.url, now=NOW)
    ids = _episodes(database, open_only=False)
    assert len(ids) == 10
    for at in (NOW, NOW - timedelta(hours=5), NOW - timedelta(hours=30)):
        batch = _batch_states(database, ids, at)
        single = [_single_state(database, episode_id, at) for _, episode_id in ids]
        assert batch == single
    # The comparison covered every kind of record the state is built from.
    batch_now = _batch_states(database, ids, NOW)
    assert all(any(state[kind] for state in batch_now) for kind in KINDS)


def test_a_ward_decided_at_once_gets_each_patient_the_answer_of_their_own_path(database):
    populate(database.url, now=NOW)
    ids = _episodes(database, open_only=True)
    with database.uow(FixedClock(NOW)).read() as reading:
        session = reading.session
        pairs = [(session.get(Patient, p), session.get(Episode, e)) for p, e in ids]
        batch = decide_many(session, pairs, NOW)  # type: ignore[arg-type]
    with database.uow(FixedClock(NOW)).read() as reading:
        single = [decide(reading.session, reading.session.get(Episode, e), NOW) for _, e in ids]  # type: ignore[arg-type]
    assert [d.recommendation.to_json() for d in batch] == [
        d.recommendation.to_json() for d in single
    ]
    assert [d.state_document for d in batch] == [d.state_document for d in single]
    assert len({d.recommendation.action for d in batch}) >= 4
