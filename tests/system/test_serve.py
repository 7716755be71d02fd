"""`owm serve`: migrates a new database before it answers, runs several workers, warns."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from .servers import Server


@pytest.mark.slow
def test_serve_migrates_a_new_database_and_runs_two_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'owm.db'}"
    server = Server(url, tmp_path / "server", workers=2)
    server.start()
    try:
        answers = {httpx.get(f"{server.url}/api/wards", timeout=10).status_code for _ in range(20)}
        docs = httpx.get(f"{server.url}/docs", timeout=10)
    finally:
        server.stop()
    assert answers == {401}
    assert docs.status_code == 200
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"patient", "episode", "administration", "audit_log", "api_token"} <= tables


@pytest.mark.slow
def test_serve_warns_when_cds_hooks_accept_unsigned_requests(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'owm.db'}"
    server = Server(url, tmp_path / "server", env={"OWM_CDS_ALLOW_UNSIGNED": "1"})
    server.start()
    server.stop()
    assert "WARNING: OWM_CDS_ALLOW_UNSIGNED=1" in server.log()


def test_serve_refuses_a_bad_setting_with_exit_2(tmp_path: Path) -> None:
    from .servers import owm

    result = owm(
        "serve",
        "--port",
        "1",
        database_url=f"sqlite:///{tmp_path / 'owm.db'}",
        data_dir=tmp_path,
        extra={"OWM_COOKIE_SECURE": "maybe"},
    )
    assert result.returncode == 2
    assert "OWM_COOKIE_SECURE" in result.stderr
    assert "allowed: 1 or 0" in result.stderr
