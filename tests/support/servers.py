"""A real `owm serve` process on a free localhost port, for the tests that need a socket.

The end-to-end tests (tests/e2e/conftest.py, one server per session for Chromium)
and the system tests (tests/system/servers.py, servers killed and restarted under
load) start the same command and wait for it the same way: `OwmServe.start()`
runs `python -m owm serve` on 127.0.0.1 with the given environment, its output
appended to a log file, and returns once a GET of `ready_path` answers 200 (or
raises with the log when the process exits or does not answer in time).
`kill()` sends SIGKILL (no shutdown of any kind); `stop()` sends SIGTERM and
kills a process that does not end in time.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["BIND_ATTEMPTS", "OwmServe", "free_port", "wait_until_ready"]

BIND_ATTEMPTS = 3
"""How often a server is started on a new free port when its port was taken meanwhile."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(
    url: str,
    process: subprocess.Popen[bytes],
    log: Callable[[], str],
    *,
    timeout: float,
) -> None:
    """Return once GET `url` answers 200; raise (with the log) if `process` exits first
    or nothing answers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"owm serve exited with {process.returncode}:\n{log()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"owm serve did not answer within {timeout:.0f} s:\n{log()}")


@dataclass
class OwmServe:
    """One `owm serve` process on 127.0.0.1 (start, kill and start again as often as needed)."""

    env: Mapping[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    options: tuple[str, ...] = ()
    """More `owm serve` options, e.g. ("--workers", "2")."""
    cwd: Path | None = None
    ready_path: str = "/openapi.json"
    start_timeout: float = 90.0
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers.

        A free port can be taken by another process between `free_port()` and the
        server's bind (tests run in parallel): then the server is started again on
        another free port, at most `BIND_ATTEMPTS` times.
        """
        for attempt in range(1, BIND_ATTEMPTS + 1):
            logged = len(self.log())
            try:
                self._start_once()
                return
            except RuntimeError:
                taken = "address already in use" in self.log()[logged:].lower()
                if attempt == BIND_ATTEMPTS or not taken:
                    raise
                self.port = free_port()

    def _start_once(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "owm", "serve", "--host", "127.0.0.1"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), *self.options],
                cwd=self.cwd,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        try:
            wait_until_ready(
                self.url + self.ready_path, self.process, self.log, timeout=self.start_timeout
            )
        except RuntimeError:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL: the process ends at once, in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then SIGKILL if the process has not ended within `timeout` seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
