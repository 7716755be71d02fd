"""Settings from the environment and the engine's guarantees on each database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from owm.store.engine import make_engine, settings_from_env


def test_the_default_database_is_a_sqlite_file_under_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings_from_env({}).database_url == f"sqlite:///{tmp_path / 'var' / 'owm.db'}"
    other = settings_from_env({"OWM_DATA_DIR": str(tmp_path / "data")})
    assert other.database_url == f"sqlite:///{tmp_path / 'data' / 'owm.db'}"
    named = settings_from_env({"OWM_DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert named.database_url == "postgresql+psycopg://u@h/db"


def test_the_sqlite_folder_is_created_on_first_run_with_wal_and_foreign_keys(tmp_path):
    path: Path = tmp_path / "new" / "folder" / "owm.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as c:
            pragmas = {
                name: c.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    assert path.parent.is_dir()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 60000,
        "synchronous": 2,
    }


def test_unsupported_databases_are_refused_with_what_is_allowed():
    with pytest.raises(ValueError, match="postgresql\\+psycopg"):
        make_engine("postgresql+asyncpg://u@h/db")
    with pytest.raises(ValueError, match="allowed: sqlite"):
        make_engine("mysql://u@h/db")


def test_sessions_run_in_utc_and_foreign_keys_hold(database):
    if database.kind == "postgresql":
        with database.engine.connect() as c:
            assert c.execute(text("SHOW timezone")).scalar_one() == "UTC"
    with pytest.raises(Exception, match=r"(?i)foreign key"), database.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO patient (ward_id, name, mrn, conditions, allergies, history, "
                "entered_by, entered_at, updated_at) VALUES (999, 'x', 'x', '[]', '[]', '[]', 999, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
