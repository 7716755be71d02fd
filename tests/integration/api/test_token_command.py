"""`owm user token`: a token for a user from the server's shell, that the API accepts."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from owm.cli.app import app

from .conftest import Api


def test_owm_user_token_prints_a_token_the_api_accepts(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWM_DATABASE_URL", api.world.db.url)
    result = CliRunner().invoke(app, ["user", "token", "pharmacist1", "--name", "script"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("owm_")
    me = api.client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "pharmacist1"


def test_owm_user_token_for_an_unknown_user_exits_1(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWM_DATABASE_URL", api.world.db.url)
    result = CliRunner().invoke(app, ["user", "token", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in result.stderr
