"""Real server processes for the system tests: `owm serve` on a free localhost port.

A `Server` is one `owm serve` subprocess (its own uvicorn, its own engine) on the
test's database (`support.servers.OwmServe`, shared with the end-to-end tests);
`start()` waits until it answers, `kill()` sends SIGKILL (no shutdown of any
kind), `stop()` asks it to stop. `seed()` makes a ward, users with tokens and
admitted patients ready for a dose, through the service layer, on the real clock
(the servers use the real clock too).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from owm.service import admission, users
from owm.service.actor import Actor
from support.records import COWS_MODERATE, GOOD_VITALS, ready_for_dose
from support.servers import OwmServe, free_port
from support.wards import staffed_ward

__all__ = ["COWS_MODERATE", "GOOD_VITALS", "Seeded", "Server", "free_port", "owm", "seed"]

START_TIMEOUT = 90.0
SECRET_KEY = "system-test-secret-key-0123456789abcdefghij"


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


def owm(
    *args: str, database_url: str, data_dir: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run an `owm` command on the database; its output is captured."""
    return subprocess.run(
        [sys.executable, "-m", "owm", *args],
        env=server_env(database_url, data_dir, extra),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Server(OwmServe):
    """One `owm serve` process on 127.0.0.1, its log in `data_dir`."""

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        port = free_port()
        super().__init__(
            env=server_env(database_url, data_dir, env),
            log_path=data_dir / f"server-{port}.log",
            port=port,
            options=("--workers", str(workers), "--log-level", "warning"),
            start_timeout=START_TIMEOUT,
        )
        self.database_url = database_url
        self.data_dir = data_dir


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
    staffed = staffed_ward(database.uow, name="System Test Ward", system="system-test")
    actors = staffed.actors
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
            ward_id=staffed.ward_id,
            name=f"Patient {n}",
            mrn=f"SYS-{n}",
            age_years=34,
            first_line_offered=True,
            first_line_choice="declined",
        )
        episode = admitted.episode.id
        ready_for_dose(database.uow, nurse, episode)
        episodes.append(episode)
    return Seeded(ward_id=staffed.ward_id, tokens=tokens, episodes=episodes)
