"""SIGKILL the server again and again while nurses chart: no acknowledged write is lost.

Four client threads record withdrawal scores and vital signs and give one dose to
each of their patients, against a real `owm serve`. The server is killed with
SIGKILL five times at random moments (a fixed seed) and started again. A client
whose request got no answer retries it with the same idempotency key, as a ward
client must, so a dose that committed just before the kill is answered with its
replay and never given twice. Afterwards every write that got a 2xx answer is in
the database exactly as answered, with its audit entry; each patient has one dose;
and `owm audit verify` passes.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from .servers import COWS_MODERATE, GOOD_VITALS, Server, owm, seed

CLIENTS = 4
PATIENTS_PER_CLIENT = 3
KILLS = 5
MAX_WRITES_PER_CLIENT = 3000
RUN_SECONDS_BOUND = 240


@dataclass(frozen=True)
class Acknowledged:
    """A write the server answered with 2xx: what kind, its id, episode and key."""

    kind: str
    id: int
    episode: int
    key: str
    detail: Any


def _send_until_answered(
    client: httpx.Client,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    stop_at: float,
    retries: list[int],
) -> httpx.Response | None:
    """Send, and after a lost answer (server killed) send the same request again."""
    while time.monotonic() < stop_at:
        try:
            return client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            retries.append(1)
            time.sleep(0.05)
    return None


@pytest.mark.slow
def test_every_acknowledged_write_survives_repeated_sigkill(database: Any, tmp_path: Path) -> None:
    seeded = seed(database, patients=CLIENTS * PATIENTS_PER_CLIENT)
    server = Server(database.url, tmp_path / "server")
    server.start()
    acknowledged: list[Acknowledged] = []
    lock = threading.Lock()
    stop = threading.Event()
    stop_at = time.monotonic() + RUN_SECONDS_BOUND
    unexpected: list[str] = []
    retries: list[int] = []

    def chart(worker: int) -> None:
        mine = seeded.episodes[worker * PATIENTS_PER_CLIENT : (worker + 1) * PATIENTS_PER_CLIENT]
        to_dose = list(mine)
        rng = random.Random(worker)
        headers = seeded.auth("nurse")
        with httpx.Client(base_url=server.url, timeout=10) as client:
            for n in range(MAX_WRITES_PER_CLIENT):
                if stop.is_set():
                    return
                key = f"w{worker}-{n}"
                episode = rng.choice(mine)
                if to_dose and n % 7 == 3:
                    episode = to_dose.pop()
                    kind, url = "dose", f"/api/episodes/{episode}/administrations/give"
                    body: dict[str, Any] = {"dose_mg": "0.5", "idempotency_key": key}
                elif n % 2:
                    kind, url = "assessment", f"/api/episodes/{episode}/assessments"
                    items = {**COWS_MODERATE, "sweating": rng.choice([0, 1, 2, 3, 4])}
                    body = {"instrument": "COWS", "items": items, "idempotency_key": key}
                else:
                    kind, url = "vitals", f"/api/episodes/{episode}/vitals"
                    body = {**GOOD_VITALS, "pulse": rng.randint(60, 100), "idempotency_key": key}
                response = _send_until_answered(client, url, body, headers, stop_at, retries)
                if response is None:
                    return
                if not 200 <= response.status_code < 300:
                    with lock:
                        unexpected.append(f"{kind} {key}: {response.status_code} {response.text}")
                    continue
                answer = response.json()
                if kind == "dose":
                    entry_id, detail = answer["administration"]["id"], "0.5"
                elif kind == "assessment":
                    entry_id, detail = answer["id"], answer["total"]
                else:
                    entry_id, detail = answer["id"], answer["pulse"]
                with lock:
                    acknowledged.append(Acknowledged(kind, entry_id, episode, key, detail))

    threads = [threading.Thread(target=chart, args=(w,)) for w in range(CLIENTS)]
    for thread in threads:
        thread.start()
    rng = random.Random(2026)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 2.0))
            server.kill()
            time.sleep(rng.uniform(0.0, 0.5))
            server.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        server.stop()

    assert server.starts == KILLS + 1
    assert not unexpected, unexpected[:5]
    kinds = {a.kind for a in acknowledged}
    assert kinds == {"dose", "assessment", "vitals"}, kinds
    assert retries, "no request was cut off by a kill: the test did not test a crash"
    print(f"{len(acknowledged)} writes acknowledged, {len(retries)} sends retried after a kill")

    tables = {"dose": "administration", "assessment": "assessment", "vitals": "vital_signs"}
    columns = {"dose": "dose_ug", "assessment": "total", "vitals": "pulse"}
    with database.engine.connect() as connection:
        for write in acknowledged:
            row = connection.execute(
                text(
                    f"SELECT episode_id, idempotency_key, {columns[write.kind]} "
                    f"FROM {tables[write.kind]} WHERE id = :id"
                ),
                {"id": write.id},
            ).one_or_none()
            assert row is not None, f"acknowledged {write} is missing after the crashes"
            expected = 500 if write.kind == "dose" else write.detail
            assert tuple(row) == (write.episode, write.key, expected), write
            audited = connection.execute(
                text("SELECT count(*) FROM audit_log WHERE record_type = :t AND record_id = :id"),
                {"t": tables[write.kind], "id": str(write.id)},
            ).scalar_one()
            assert audited >= 1, f"no audit entry for {write}"
        doses = connection.execute(
            text(
                "SELECT episode_id, count(*) FROM administration "
                "GROUP BY episode_id HAVING count(*) > 1"
            )
        ).all()
        assert doses == [], f"a patient got two doses: {doses}"

    verified = owm("audit", "verify", database_url=database.url, data_dir=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
