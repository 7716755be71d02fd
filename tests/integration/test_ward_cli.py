"""`owm audit verify`, `owm user add` and `owm demo` on the database of OWM_DATABASE_URL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from typer.testing import CliRunner

from owm.cli.app import app
from owm.cli.demo import DEMO_USERS, populate
from owm.service import users
from owm.service.recommendation import get_recommendation

from .helpers import make_world

runner = CliRunner()


def owm(database, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin, env={"OWM_DATABASE_URL": database.url})


def test_audit_verify_reports_an_intact_chain_and_exits_0(database):
    world = make_world(database)
    world.ready_for_dose(world.admit())
    result = owm(database, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output


def test_audit_verify_names_the_first_bad_entry_and_exits_non_zero(database):
    world = make_world(database)
    world.ready_for_dose(world.admit())
    with database.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET role = 'admin' WHERE seq = 6"))
    result = owm(database, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at entry 6 (changed)" in result.output


def test_user_add_reads_the_password_from_stdin_and_refuses_a_taken_name(database):
    result = owm(
        database,
        "user",
        "add",
        "carol",
        "--role",
        "physician",
        "--full-name",
        "Dr Carol",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert result.exit_code == 0, result.output
    with database.engine.connect() as c:
        row = c.execute(
            text("SELECT role, full_name, password_hash FROM app_user WHERE username = 'carol'")
        ).one()
    assert (row.role, row.full_name) == ("physician", "Dr Carol")
    assert row.password_hash.startswith("$argon2id$")
    again = owm(
        database,
        "user",
        "add",
        "carol",
        "--role",
        "nurse",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert again.exit_code == 1
    bad = owm(
        database,
        "user",
        "add",
        "dave",
        "--role",
        "chef",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert bad.exit_code == 2


def test_the_demo_fills_the_ward_once_and_covers_every_action(database):
    now = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    first = populate(database.url, now=now)
    second = populate(database.url, now=now)
    assert (first.patients_added, second.patients_added, second.patients_existing) == (10, 0, 10)
    with database.engine.connect() as c:
        counts = {
            table: c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "patient",
                "episode",
                "app_user",
                "ward",
                "dose_hold",
                "patient_rating",
                "discharge",
            )
        }
        voided = c.execute(
            text("SELECT count(*) FROM vital_signs WHERE voided_at IS NOT NULL")
        ).scalar_one()
        unable = c.execute(
            text("SELECT count(*) FROM assessment WHERE unable_reason IS NOT NULL")
        ).scalar_one()
    assert counts == {
        "patient": 10,
        "episode": 10,
        "app_user": len(DEMO_USERS),
        "ward": 1,
        "dose_hold": 1,
        "patient_rating": 1,
        "discharge": 1,
    }
    assert voided == 1 and unable == 1

    from owm.store.uow import FixedClock

    uow_now = FixedClock(now)
    nurse = users.authenticate(database.uow(uow_now), username="nurse", password="nurse-demo-pass")
    with database.engine.connect() as c:
        episodes = dict(
            c.execute(
                text(
                    "SELECT p.mrn, e.id FROM episode e JOIN patient p ON p.id = e.patient_id "
                    "WHERE e.discharged_at IS NULL"
                )
            ).all()
        )
    actions = {
        mrn: get_recommendation(database.uow(uow_now), nurse, episode_id=episode).recommendation
        for mrn, episode in episodes.items()
    }
    assert {mrn: r.action for mrn, r in actions.items()} == {
        "DEMO-001": "give",
        "DEMO-002": "give",
        "DEMO-003": "hold",
        "DEMO-004": "escalate",
        "DEMO-005": "give",
        "DEMO-006": "contraindicated",
        "DEMO-007": "emergency",
        "DEMO-008": "not-indicated",
        "DEMO-009": "hold",
    }
    assert actions["DEMO-005"].finding("opioid-benzodiazepine").acknowledged
    assert {"course-limit", "taper-needed"} <= set(actions["DEMO-009"].codes)
    result = owm(database, "audit", "verify")
    assert result.exit_code == 0, result.output


def test_audit_verify_shows_a_progress_bar_on_long_chains(database, monkeypatch):
    import owm.cli.ward as commands

    world = make_world(database)
    world.ready_for_dose(world.admit())
    monkeypatch.setattr(commands, "PROGRESS_FROM", 5)
    result = owm(database, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "verifying the audit chain" in result.output
    assert "audit chain intact" in result.output
