"""API fuzzing: schemathesis against the OpenAPI document of a running server, no 5xx.

Schemathesis reads `/openapi.json` from a real `owm serve` and sends valid and
invalid requests to every operation (examples, coverage of boundaries, random
fuzzing, and stateful sequences), signed in with a physician's token (the role
that reaches the most clinical code). Any 5xx answer fails the run. The number of
examples per operation is bounded and the seed fixed, so the run takes a few
minutes and repeats.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .servers import Server, seed

MAX_EXAMPLES = 10
SEED = 20261125


REVOKE = "/api/tokens/{token_id}"
ADMIN_PATHS = "^/api/(users|wards|audit|reports|problem-reports)"


def schemathesis_run(server: Server, token: str, cwd: Path, *filters: str) -> None:
    """One schemathesis run against `server` with `token`; fails on any 5xx."""
    schemathesis = Path(sys.executable).parent / "schemathesis"
    run = subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--generation-with-security-parameters",
            "false",
            "--generation-database",
            "none",
            *filters,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = run.stdout[-20_000:] + run.stderr[-5_000:]
    print(run.stdout[-4_000:])
    assert run.returncode == 0, report + "\n--- server log ---\n" + server.log()[-10_000:]
    assert " passed" in run.stdout, report


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error(database: Any, tmp_path: Path) -> None:
    """Every operation is fuzzed as a physician; the admins' operations again as an admin.
    Revoking a token is fuzzed in a run of its own, with a token of its own:
    schemathesis finds the token's id in `GET /api/tokens` and would otherwise revoke
    the token the other runs sign in with. The CDS Hooks service runs without JWT
    verification here, so that its operations are fuzzed past the signature check."""
    seeded = seed(database, patients=3)
    server = Server(database.url, tmp_path / "server", env={"OWM_CDS_ALLOW_UNSIGNED": "1"})
    server.start()
    try:
        schemathesis_run(server, seeded.tokens["physician"], tmp_path, "--exclude-path", REVOKE)
        schemathesis_run(
            server,
            seeded.tokens["admin"],
            tmp_path,
            "--include-path-regex",
            ADMIN_PATHS,
            "--exclude-path",
            REVOKE,
        )
        schemathesis_run(server, seeded.tokens["nurse"], tmp_path, "--include-path", REVOKE)
    finally:
        server.stop()
