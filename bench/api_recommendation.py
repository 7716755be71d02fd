"""The recommendation endpoint over real HTTP, against a bare FastAPI endpoint in the same run.

    .venv/bin/python bench/api_recommendation.py [--seconds 10] [--clients 32]

Both servers are uvicorn processes on 127.0.0.1 with the same settings: `owm
serve` on a temporary SQLite database (WAL, synchronous FULL) with a ward of 20
patients ready for a dose, and a bare FastAPI app whose one sync endpoint returns
a small JSON object. 32 keep-alive clients send requests back to back; each
`GET /api/episodes/{id}/recommendation` (round robin over the patients) checks the
bearer token, builds the state from the stored record, evaluates it, and logs the
recommendation as shown with its audit entry (a committed write per request).

Printed: requests per second, p50 and p99 latency for each, and the ratio of the
throughputs. Targets: recommendation >= 70 % of the bare endpoint's throughput,
p99 <= 20 ms at 32 clients. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_support import (
    LoadResult,
    Request,
    in_process_rate,
    line,
    load,
    seed,
    servers,
)
from owm.service.recommendation import get_recommendation

PATIENTS = 20
WARMUP_SECONDS = 2.0


def report(name: str, result: LoadResult) -> None:
    print(f"{name}:")
    line(
        "requests",
        f"{result.count}",
        f"in {result.seconds:.1f} s; statuses {dict(result.statuses)}",
    )
    line("throughput", f"{result.per_second:,.0f} req/s")
    line("latency p50", f"{result.percentile(0.50) * 1000:.2f} ms")
    line("latency p99", f"{result.percentile(0.99) * 1000:.2f} ms", "target <= 20 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()

    with servers() as running:
        seeded = seed(running.database_url, PATIENTS)
        owm_port = running.start_owm()
        bare_port = running.start_bare()
        headers = {"Authorization": f"Bearer {seeded.token}"}
        episodes = itertools.cycle(seeded.episodes)

        def recommendation() -> Request:
            return ("GET", f"/api/episodes/{next(episodes)}/recommendation", b"", headers)

        def bare() -> Request:
            return ("GET", "/bare", b"", headers)

        for port, make in ((bare_port, bare), (owm_port, recommendation)):
            load(port, make, concurrency=args.clients, seconds=WARMUP_SECONDS)
        baseline = load(bare_port, bare, concurrency=args.clients, seconds=args.seconds)
        measured = load(owm_port, recommendation, concurrency=args.clients, seconds=args.seconds)
        running.stop()
        service = in_process_rate(
            running.database_url,
            seeded.token,
            lambda uow, actor, episode: get_recommendation(uow, actor, episode_id=episode),
            seeded.episodes * 10,
        )

    print(
        f"API recommendation benchmark ({args.clients} concurrent clients, {args.seconds:.0f} s each)"
    )
    report("bare FastAPI endpoint (baseline)", baseline)
    report("GET /api/episodes/{id}/recommendation", measured)
    line(
        "get_recommendation in process, one thread",
        f"{service:,.0f}/s",
        "(the service layer alone, no HTTP)",
    )
    ratio = measured.per_second / baseline.per_second if baseline.per_second else 0.0
    print("ratio:")
    line("recommendation / bare throughput", f"{ratio:.1%}", "target >= 70 %")


if __name__ == "__main__":
    main()
