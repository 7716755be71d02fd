"""Real server processes for the system tests: `owm serve` on a free localhost port.

A `Server` is one `owm serve` subprocess (its own uvicorn, its own engine) on the
test's database; `start()` waits until it answers, `kill()` sends SIGKILL (no
shutdown of any kind), `stop()` asks it to stop. `seed()` makes a ward, users
with tokens and admitted patients ready for a dose, through the service layer,
on the real clock (the servers use the real clock too).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from owm.service import admission, users, wards
from owm.service.actor import Actor
from owm.service.assessments import record_assessment
from owm.service.observations import record_sedation, record_vitals

__all__ = ["COWS_MODERATE", "GOOD_VITALS", "Seeded", "Server", "free_port", "owm", "seed"]

START_TIMEOUT = 90.0
SECRET_KEY = "system-test-secret-key-0123456789abcdefghij"

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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(
    database_url: str, data_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    env.update(
        {
            "OWM_DATABASE_URL": database_url,
            "OWM_DATA_DIR": str(data_dir),
            "OWM_SECRET_KEY": SECRET_KEY,
            "OWM_PASSWORD_PROFILE": "cheapest",
        }
    )
    return env


def owm(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run an `owm` command on the database; its output is captured."""
    return subprocess.run(
        [sys.executable, "-m", "owm", *args],
        env=server_env(database_url, data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@dataclass
class Server:
    """One `owm serve` process on 127.0.0.1."""

    database_url: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "owm",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--log-level",
                    "warning",
                ],
                env=server_env(self.database_url, self.data_dir, self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"owm serve exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"owm serve did not answer within {START_TIMEOUT:.0f} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: the process ends at once, in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Seeded:
    ward_id: int
    tokens: dict[str, str]
    episodes: list[int]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def seed(database: Any, *, patients: int) -> Seeded:
    """A ward, one user and token per role, and `patients` patients ready for a dose now."""
    system = Actor.system("system-test")
    ward = wards.create_ward(
        database.uow(),
        system,
        name="System Test Ward",
        timezone="Europe/London",
        protocol_id="clonazepam-adjunct",
    )
    actors: dict[str, Actor] = {}
    for role in ("nurse", "physician", "pharmacist", "admin"):
        user = users.create_user(
            database.uow(),
            system,
            username=f"{role}1",
            full_name=f"A {role.title()}",
            role=role,
            password="correct horse battery",
        )
        actors[role] = Actor(user_id=user.id, role=role)  # type: ignore[arg-type]
    tokens = {
        role: users.issue_token(
            database.uow(), system, user_id=actor.user_id or 0, name="system test"
        ).token
        for role, actor in actors.items()
    }
    nurse = actors["nurse"]
    episodes = []
    for n in range(patients):
        admitted = admission.admit(
            database.uow(),
            nurse,
            ward_id=ward.id,
            name=f"Patient {n}",
            mrn=f"SYS-{n}",
            age_years=34,
            first_line_offered=True,
            first_line_choice="declined",
        )
        episode = admitted.episode.id
        record_assessment(
            database.uow(), nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE
        )
        record_vitals(database.uow(), nurse, episode_id=episode, **GOOD_VITALS)
        record_sedation(database.uow(), nurse, episode_id=episode, scale="POSS", level="1")
        episodes.append(episode)
    return Seeded(ward_id=ward.id, tokens=tokens, episodes=episodes)
