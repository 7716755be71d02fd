"""The audit trail: every change appended in its transaction, hash-chained, and any
edit, deletion or insertion made directly in the database found by `verify`."""

from __future__ import annotations

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from owm.service import assessments
from owm.service.errors import InputError
from owm.store.audit import canonical_json, entry_hash, verify
from owm.store.models import AuditEntry

from .helpers import COWS_MODERATE, START, make_world


def chain(database):
    with database.uow().read() as uow:
        return verify(uow.session)


def entries(database):
    with database.engine.connect() as c:
        return c.execute(
            text("SELECT seq, action, prev_hash, hash FROM audit_log ORDER BY seq")
        ).all()


def world_with_history(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    return world, episode


def test_each_change_is_audited_with_who_what_and_before_after(database):
    _, episode = world_with_history(database)
    with database.engine.connect() as c:
        row = c.execute(
            text(
                "SELECT username, role, record_type, after FROM audit_log "
                "WHERE action = 'assessment.record'"
            )
        ).one()
    assert row.username == "nurse1" and row.role == "nurse" and row.record_type == "assessment"
    after = json.loads(row.after)
    assert after["items"] == COWS_MODERATE and after["episode_id"] == episode
    assert after == json.loads(canonical_json(after))


def test_an_intact_chain_verifies_and_links_every_entry(database):
    world_with_history(database)
    result = chain(database)
    rows = entries(database)
    assert result.ok
    assert result.entries == len(rows) and result.head_seq == rows[-1].seq
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_bad_input_writes_nothing_not_even_an_audit_entry(database):
    world, episode = world_with_history(database)
    before = len(entries(database))
    with pytest.raises(InputError):
        assessments.record_assessment(
            world.uow(),
            world.nurse,
            episode_id=episode,
            instrument="COWS",
            items={**COWS_MODERATE, "restlessness": 2},
        )
    assert len(entries(database)) == before


def test_an_edited_entry_is_named(database):
    world_with_history(database)
    with database.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET username = 'someone-else' WHERE seq = 7"))
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (7, "changed")


def test_an_edited_entry_whose_hash_was_recomputed_is_found_by_the_next_link(database):
    world_with_history(database)
    with database.uow() as uow:
        entry = uow.session.get(AuditEntry, 5)
        entry.after = '{"forged":true}'
        entry.hash = entry_hash(entry)
        forged = entry.hash
    with database.engine.begin() as c:
        c.execute(
            text("UPDATE audit_log SET after = :after, hash = :h WHERE seq = 5"),
            {"after": '{"forged":true}', "h": forged},
        )
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (5, "changed")


def test_a_deleted_entry_is_named(database):
    world_with_history(database)
    with database.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (4, "removed")


def test_deleting_the_last_entry_is_found_by_the_chain_head(database):
    world_with_history(database)
    last = entries(database)[-1].seq
    with database.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (last, "removed")


def test_a_forged_entry_inserted_at_the_end_is_named(database):
    world_with_history(database)
    last = entries(database)[-1]
    forged = AuditEntry(
        seq=last.seq + 1,
        at=START,
        user_id=None,
        username="intruder",
        role="admin",
        action="user.create",
        record_type="app_user",
        record_id="99",
        before=None,
        after='{"role":"admin"}',
        client_address=None,
        prev_hash=last.hash,
    )
    forged.hash = entry_hash(forged)
    with database.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO audit_log (seq, at, username, role, action, record_type, record_id, "
                "after, prev_hash, hash) VALUES (:seq, :at, :u, 'admin', 'user.create', 'app_user', "
                "'99', :after, :prev, :hash)"
            ),
            {
                "seq": forged.seq,
                "at": forged.at.replace(tzinfo=None) if database.kind == "sqlite" else forged.at,
                "u": "intruder",
                "after": forged.after,
                "prev": forged.prev_hash,
                "hash": forged.hash,
            },
        )
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (last.seq + 1, "inserted")


def test_a_forged_entry_inserted_in_the_middle_is_named(database):
    world_with_history(database)
    rows = entries(database)
    # Make room after entry 3 by renumbering the later ones, then insert a forged entry 4
    # that links to entry 3 (the attacker cannot also relink entry 5 without changing it).
    with database.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET seq = -seq WHERE seq > 3"))
        c.execute(text("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0"))
        c.execute(text("UPDATE audit_head SET seq = seq + 1"))
        c.execute(
            text(
                "INSERT INTO audit_log (seq, at, username, role, action, record_type, after, "
                "prev_hash, hash) SELECT 4, at, 'intruder', 'admin', 'user.create', 'app_user', "
                "'{}', :prev, :hash FROM audit_log WHERE seq = 3"
            ),
            {"prev": "f" * 64, "hash": "e" * 64},
        )
    result = chain(database)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (4, "inserted")
    assert len(rows) + 1 == len(entries(database))


def test_concurrent_writers_on_different_patients_never_fork_the_chain(database):
    world = make_world(database)
    episodes = [world.admit(f"C{i}") for i in range(10)]
    barrier = threading.Barrier(len(episodes) * 2)

    def record(episode: int) -> None:
        uow = world.uow()
        barrier.wait()
        assessments.record_assessment(
            uow, world.nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE
        )

    with ThreadPoolExecutor(max_workers=len(episodes) * 2) as pool:
        list(pool.map(record, episodes * 2))
    result = chain(database)
    assert result.ok
    with database.engine.connect() as c:
        assert (
            c.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'assessment.record'")
            ).scalar_one()
            == 20
        )


def test_verify_reports_progress_as_it_walks_the_chain(database):
    world_with_history(database)
    seen: list[tuple[int, int]] = []
    with database.uow().read() as uow:
        result = verify(
            uow.session, progress=lambda done, total: seen.append((done, total)), batch=4
        )
    assert result.ok
    total = result.entries
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) == total // 4 + 1
