"""Shared pieces of the API benchmarks: servers on localhost, a seeded database, a load client.

- `Servers`: real uvicorn processes on 127.0.0.1 — `owm serve` on a temporary
  SQLite database, and a bare FastAPI app (one sync endpoint returning a small
  JSON object) run by the same uvicorn with the same settings, as the baseline.
- `seed`: a ward, a nurse with an API token and N patients ready for a dose now,
  made through the service layer (as the API would make them).
- `load`: C concurrent keep-alive HTTP/1.1 connections from one asyncio loop,
  each sending its next request as soon as the answer arrives, for a fixed time or
  until the requests run out; per-request latency and the status counts. The
  client is a few lines of asyncio streams, so that it costs the same for both
  servers and as little as possible (the machine has two cores).

`python bench/api_support.py bare PORT` runs the baseline server (used by `Servers`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "benchmark-secret-key-0123456789abcdefghijkl"

COWS_MODERATE = {
    "resting_pulse": 1,
    "sweating": 1,
    "restlessness": 3,
    "pupil_size": 1,
    "bone_joint_aches": 2,
    "runny_nose_tearing": 1,
    "gi_upset": 2,
    "tremor": 1,
    "yawning": 1,
    "anxiety_irritability": 2,
    "gooseflesh": 0,
}
GOOD_VITALS: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 124,
    "pulse": 76,
    "consciousness": "alert",
    "temperature_c": "37.0",
}

Request = tuple[str, str, bytes, dict[str, str]]
"""method, path, body, headers"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bare_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        return {"ok": True, "action": "give", "dose_mg": "0.5"}

    return app


@dataclass
class Servers:
    """The servers of one benchmark run, stopped (and the database removed) on exit."""

    data_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'owm.db'}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "OWM_DATABASE_URL": self.database_url,
                "OWM_DATA_DIR": str(self.data_dir),
                "OWM_SECRET_KEY": SECRET_KEY,
            }
        )
        return env

    def _start(self, args: list[str], port: int, probe: str) -> None:
        log = (self.data_dir / f"server-{port}.log").open("ab")
        process = subprocess.Popen(args, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited: {(self.data_dir / f'server-{port}.log').read_text()}"
                )
            try:
                httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")

    def start_owm(self) -> int:
        port = free_port()
        self._start(
            [sys.executable, "-m", "owm", "serve", "--port", str(port), "--log-level", "warning"],
            port,
            "/openapi.json",
        )
        return port

    def start_bare(self) -> int:
        port = free_port()
        self._start([sys.executable, __file__, "bare", str(port)], port, "/bare")
        return port

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def servers() -> Iterator[Servers]:
    with tempfile.TemporaryDirectory(prefix="owm-bench-") as folder:
        running = Servers(Path(folder))
        from owm.store.migrate import migrate

        migrate(running.database_url)
        try:
            yield running
        finally:
            running.stop()


@dataclass
class Seeded:
    token: str
    episodes: list[int]


def seed(database_url: str, patients: int) -> Seeded:
    """A ward, a nurse and her token, and `patients` patients ready for a dose now."""
    from owm.service import admission, users, wards
    from owm.service.actor import Actor
    from owm.service.assessments import record_assessment
    from owm.service.observations import record_sedation, record_vitals
    from owm.store.engine import make_engine
    from owm.store.uow import UnitOfWork, session_factory

    os.environ.setdefault("OWM_PASSWORD_PROFILE", "cheapest")
    engine = make_engine(database_url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    system = Actor.system("bench")
    ward = wards.create_ward(
        uow(), system, name="Bench Ward", timezone="Europe/London", protocol_id="clonazepam-adjunct"
    )
    user = users.create_user(
        uow(), system, username="nurse1", full_name="A Nurse", role="nurse", password=None
    )
    nurse = Actor(user_id=user.id, role="nurse")
    token = users.issue_token(uow(), system, user_id=user.id, name="bench").token
    episodes = []
    for n in range(patients):
        episode = admission.admit(
            uow(),
            nurse,
            ward_id=ward.id,
            name=f"Patient {n}",
            mrn=f"B-{n}",
            age_years=40,
            first_line_offered=True,
            first_line_choice="declined",
        ).episode.id
        record_assessment(uow(), nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE)
        record_vitals(uow(), nurse, episode_id=episode, **GOOD_VITALS)
        record_sedation(uow(), nurse, episode_id=episode, scale="POSS", level="1")
        episodes.append(episode)
    engine.dispose()
    return Seeded(token=token, episodes=episodes)


def in_process_rate(
    database_url: str, token: str, call: Callable[[Any, Any, int], object], items: list[int]
) -> float:
    """Calls per second of `call(uow, actor, item)` in this process, one thread, no HTTP:
    what the service layer costs before the API adds anything."""
    from owm.service.users import authenticate_token
    from owm.store.engine import make_engine
    from owm.store.uow import UnitOfWork, session_factory

    engine = make_engine(database_url)
    sessions = session_factory(engine)
    actor = authenticate_token(UnitOfWork(sessions), token=token)
    started = time.perf_counter()
    for item in items:
        call(UnitOfWork(sessions), actor, item)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(items) / elapsed


@dataclass
class LoadResult:
    seconds: float
    latencies: list[float]
    statuses: Counter[int]

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _encode(request: Request, port: int) -> bytes:
    method, path, body, headers = request
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _connection(
    port: int,
    next_request: Callable[[], Request | None],
    deadline: float,
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            request = next_request()
            if request is None:
                return
            started = time.perf_counter()
            writer.write(_encode(request, port))
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[int(status_line.split()[1])] += 1
    finally:
        writer.close()


def load(
    port: int,
    next_request: Callable[[], Request | None],
    *,
    concurrency: int,
    seconds: float,
) -> LoadResult:
    """Send requests on `concurrency` connections for `seconds` (or until none are left)."""

    async def run() -> LoadResult:
        result = LoadResult(0.0, [], Counter())
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(_connection(port, next_request, deadline, result) for _ in range(concurrency))
        )
        result.seconds = time.perf_counter() - started
        return result

    return asyncio.run(run())


def line(name: str, value: str, note: str = "") -> None:
    print(f"  {name:<46} {value:>16}  {note}")


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "bare":
    import uvicorn

    uvicorn.run(bare_app(), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
