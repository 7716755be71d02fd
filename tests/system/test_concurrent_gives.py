"""100 nurses press Give at the same moment, over real HTTP: exactly one dose is recorded.

The requests go to real `owm serve` processes on localhost: one process on
SQLite, two processes sharing the database on PostgreSQL (as a unit with two
API servers would run). 100 threads wait at a barrier and send their give
together; the keys come in pairs, so that some requests repeat the winner's key.
Every answer must be the dose (201, exactly once), its replay (200, the
winner's key) or a refusal with the findings (409, min-interval); the database
must hold one dose, and the audit chain must verify.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from .servers import Server, owm, seed

REQUESTS = 100
KEYS = 50


@pytest.mark.slow
def test_a_hundred_simultaneous_gives_record_exactly_one_dose(
    database: Any, tmp_path: Path
) -> None:
    seeded = seed(database, patients=1)
    episode = seeded.episodes[0]
    processes = 2 if database.kind == "postgresql" else 1
    servers = [Server(database.url, tmp_path / f"server{n}") for n in range(processes)]
    try:
        for server in servers:
            server.start()
        barrier = threading.Barrier(REQUESTS)

        def press_give(i: int) -> tuple[str, int, dict[str, Any]]:
            key = f"press-{i % KEYS}"
            server = servers[i % len(servers)]
            with httpx.Client(base_url=server.url, timeout=120) as client:
                barrier.wait(timeout=60)
                response = client.post(
                    f"/api/episodes/{episode}/administrations/give",
                    headers=seeded.auth("nurse"),
                    json={"dose_mg": "0.5", "idempotency_key": key},
                )
            return key, response.status_code, response.json()

        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            answers = list(pool.map(press_give, range(REQUESTS)))
    finally:
        for server in servers:
            server.stop()

    statuses = sorted({status for _, status, _ in answers})
    assert set(statuses) <= {200, 201, 409}, [a for a in answers if a[1] not in (200, 201, 409)]
    recorded = [(key, body) for key, status, body in answers if status == 201]
    assert len(recorded) == 1
    winner_key, winner = recorded[0]
    dose_id = winner["administration"]["id"]
    replays = [(key, body) for key, status, body in answers if status == 200]
    assert replays, "the winner's second request should have been answered with the replay"
    assert all(key == winner_key for key, _ in replays)
    assert all(body["replayed"] and body["administration"]["id"] == dose_id for _, body in replays)
    refusals = [(key, body) for key, status, body in answers if status == 409]
    assert len(refusals) == REQUESTS - 1 - len(replays)
    assert all(key != winner_key for key, _ in refusals)
    assert all(body["reasons"] == ["min-interval"] for _, body in refusals)
    assert all(body["findings"][0]["code"] == "min-interval" for _, body in refusals)

    with database.engine.connect() as connection:
        doses = connection.execute(
            text("SELECT id, idempotency_key FROM administration WHERE episode_id = :e"),
            {"e": episode},
        ).all()
    assert [tuple(row) for row in doses] == [(dose_id, winner_key)]

    verified = owm("audit", "verify", database_url=database.url, data_dir=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
