"""The CDS Hooks service inside owm's whole app (`create_app`), over real HTTP.

The app reads its trusted EHRs from the environment (`OWM_CDS_CLIENTS`) and
records feedback in its own database's audit trail; the ward's sign-in, CSRF
and error handling must leave `/cds-services` to the CDS client's JWT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cds_helpers import ISSUER, Caller, LiveServer, Signer, conformance_pairs
from sqlalchemy import text

from owm.api.app import create_app
from owm.api.settings import ApiSettings

BASE = "https://owm.ward.example"


@pytest.fixture
def app_caller(database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Caller]:
    signer = Signer("ES384")
    monkeypatch.setenv("OWM_CDS_CLIENTS", json.dumps({"clients": {ISSUER: {"jwks": signer.jwks}}}))
    monkeypatch.setenv("OWM_BASE_URL", BASE)
    monkeypatch.delenv("OWM_CDS_ALLOW_UNSIGNED", raising=False)
    settings = ApiSettings(
        database_url=database.url,
        data_dir=tmp_path,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )
    app = create_app(settings, engine=database.engine)
    with LiveServer(app) as server:
        caller = Caller(server.url, signer, aud_base=BASE)
        yield caller
        caller.close()


def test_the_whole_app_serves_discovery_cards_and_feedback(
    app_caller: Caller, database: Any
) -> None:
    services = app_caller.discovery()
    assert services.status_code == 200, services.text
    assert {s["id"] for s in services.json()["services"]} == {
        "owm-order-select",
        "owm-order-sign",
        "owm-patient-view",
    }
    _, request, _ = next(p for p in conformance_pairs() if p[0] == "benzo-trigger-with-opioid")
    (card,) = app_caller.cards(request)
    assert card["links"][0]["url"] == f"{BASE}/patients/example-rec-11-benzo-trigger-with-opioid"
    feedback = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "outcomeTimestamp": "2026-11-25T14:00:00Z",
            }
        ]
    }
    response = app_caller.feedback("owm-order-select", feedback)
    assert response.status_code == 200, response.text
    with database.engine.connect() as connection:
        actions = (
            connection.execute(text("SELECT action FROM audit_log WHERE record_type = 'cds-card'"))
            .scalars()
            .all()
        )
    assert actions == ["cds-feedback-overridden"]


def test_the_whole_app_refuses_unsigned_calls(app_caller: Caller) -> None:
    _, request, _ = conformance_pairs()[0]
    response = app_caller.http.post(
        f"{app_caller.base}/cds-services/owm-order-select", json=request
    )
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]
    assert app_caller.http.get(f"{app_caller.base}/cds-services").status_code == 401
