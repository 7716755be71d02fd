"""Audited dose writes per second over HTTP, against raw SQLite WAL inserts in the same run.

    .venv/bin/python bench/api_dose_writes.py [--patients 600] [--clients 32]

Measured: `owm serve` on a temporary SQLite database, PATIENTS admitted patients
each ready for a dose; 32 keep-alive clients each send `POST
/api/episodes/{id}/administrations/give` for the next patient until every
patient has had one dose. Each give is the whole guard: the bearer token is
checked, the episode is locked, the state rebuilt from the record and evaluated,
the decision logged, the dose inserted and the audit entry chained, in one
committed transaction.

Baseline: the same number of rows of the same width inserted into a table of a
fresh SQLite database with owm's settings (WAL journal, synchronous FULL), one
committed transaction per row, from one Python connection — what the disk and
SQLite allow before owm does any work. (The same with synchronous NORMAL is
printed for reference.)

Printed: writes per second for each and the ratio (target >= 50 %). Printed,
never asserted.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_support import Request, in_process_rate, line, load, seed, servers
from owm.service.dosing import give_dose


def raw_inserts(rows: int, synchronous: str) -> float:
    """Committed single-row inserts per second into a fresh WAL database."""
    with tempfile.TemporaryDirectory(prefix="owm-bench-raw-") as folder:
        connection = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(f"PRAGMA synchronous = {synchronous}")
        connection.execute(
            "CREATE TABLE administration (id INTEGER PRIMARY KEY, episode_id INTEGER, "
            "at TEXT, entered_by INTEGER, entered_at TEXT, idempotency_key TEXT, "
            "drug TEXT, dose_ug INTEGER, route TEXT, outcome TEXT, recorded_at TEXT, "
            "UNIQUE (episode_id, idempotency_key))"
        )
        started = time.perf_counter()
        for n in range(rows):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO administration (episode_id, at, entered_by, entered_at, "
                "idempotency_key, drug, dose_ug, route, outcome, recorded_at) "
                "VALUES (?, ?, 1, ?, ?, 'clonazepam', 500, 'oral', 'given', ?)",
                (
                    n,
                    "2026-11-25 14:00:00",
                    "2026-11-25 14:00:00",
                    f"give-{n}",
                    "2026-11-25 14:00:00",
                ),
            )
            connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
        connection.close()
        return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()

    with servers() as running:
        print(f"seeding {args.patients} patients ...", file=sys.stderr)
        seeded = seed(running.database_url, args.patients)
        port = running.start_owm()
        headers = {"Authorization": f"Bearer {seeded.token}"}
        pending = iter(seeded.episodes)
        lock = threading.Lock()

        def give() -> Request | None:
            with lock:
                episode = next(pending, None)
            if episode is None:
                return None
            body = f'{{"dose_mg": "0.5", "idempotency_key": "bench-{episode}"}}'.encode()
            return ("POST", f"/api/episodes/{episode}/administrations/give", body, headers)

        measured = load(port, give, concurrency=args.clients, seconds=600)
    with servers() as other:
        extra = seed(other.database_url, args.patients // 3)
        service = in_process_rate(
            other.database_url,
            extra.token,
            lambda uow, actor, episode: give_dose(
                uow, actor, episode_id=episode, dose_mg="0.5", idempotency_key=f"s-{episode}"
            ),
            extra.episodes,
        )
    full = raw_inserts(args.patients, "FULL")
    normal = raw_inserts(args.patients, "NORMAL")

    print(f"Audited dose writes ({args.patients} doses, {args.clients} concurrent clients)")
    print("owm: POST /api/episodes/{id}/administrations/give")
    line("doses", f"{measured.count}", f"statuses {dict(measured.statuses)}")
    line("doses per second", f"{measured.per_second:,.0f}/s")
    line("latency p50", f"{measured.percentile(0.50) * 1000:.1f} ms")
    line("latency p99", f"{measured.percentile(0.99) * 1000:.1f} ms")
    line(
        "give_dose in process, one thread, no HTTP",
        f"{service:,.0f}/s",
        "(the service layer's share)",
    )
    print("baseline: raw SQLite WAL inserts, one committed row per transaction")
    line("synchronous FULL (owm's setting)", f"{full:,.0f}/s")
    line("synchronous NORMAL (for reference)", f"{normal:,.0f}/s")
    print("ratio:")
    line("owm doses / raw inserts (FULL)", f"{measured.per_second / full:.1%}", "target >= 50 %")


if __name__ == "__main__":
    main()
