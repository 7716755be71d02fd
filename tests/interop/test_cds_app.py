"""The CDS Hooks service inside owm's whole app (`create_app`), over real HTTP, on both databases.

The app reads its trusted EHRs from the environment (`OWM_CDS_CLIENTS`) and uses
its own database: feedback goes into the audit trail, accepted JWT ids are kept
in `cds_seen_token` (so a second server process on the same database refuses a
replay too), cards link to owm's own patient with the EHR patient's MRN, and the
ward's time zone comes from that patient's ward (or the only ward) when the EHR
does not send one. The ward's sign-in, CSRF and error handling must leave
`/cds-services` to the CDS client's JWT.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cds_helpers import (
    CONFORMANCE_FHIR,
    ISSUER,
    Caller,
    LiveServer,
    Signer,
    clonazepam_order,
    conformance_pairs,
    hook_request,
    vignette_patient,
)
from sqlalchemy import text

from owm.cds.replay import SWEEP_SECONDS, DatabaseReplays
from owm.fhir.codes import EXT
from owm.fhir.identity import IDENTIFIER_TYPE
from owm.http.app import create_app
from owm.http.settings import ApiSettings
from owm.service import admission, users, wards
from owm.service.actor import Actor
from owm.store.uow import FixedClock, UnitOfWork, session_factory

BASE = "https://owm.ward.example"

Serve = Callable[..., Caller]


@pytest.fixture
def serve(database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """Start owm's whole app on the test database (as many as asked: each is a server process)."""
    signer = Signer("ES384")
    clients = {ISSUER: {"jwks": signer.jwks, "fhir_servers": [CONFORMANCE_FHIR]}}
    monkeypatch.setenv("OWM_CDS_CLIENTS", json.dumps({"clients": clients}))
    monkeypatch.setenv("OWM_BASE_URL", BASE)
    monkeypatch.delenv("OWM_CDS_ALLOW_UNSIGNED", raising=False)
    monkeypatch.delenv("OWM_CDS_WARD_TIMEZONE", raising=False)
    settings = ApiSettings(
        database_url=database.url,
        data_dir=tmp_path,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )
    running: list[tuple[LiveServer, Caller]] = []

    def start(clock: Any = None) -> Caller:
        app = create_app(settings, engine=database.engine, clock=clock)
        server = LiveServer(app).__enter__()
        caller = Caller(server.url, signer, aud_base=BASE)
        running.append((server, caller))
        return caller

    yield start
    for server, caller in running:
        caller.close()
        server.__exit__()


def test_the_whole_app_serves_discovery_cards_and_feedback(serve: Serve, database: Any) -> None:
    app_caller = serve()
    services = app_caller.discovery()
    assert services.status_code == 200, services.text
    assert {s["id"] for s in services.json()["services"]} == {
        "owm-order-select",
        "owm-order-sign",
        "owm-patient-view",
    }
    _, request, _ = next(p for p in conformance_pairs() if p[0] == "benzo-trigger-with-opioid")
    (card,) = app_caller.cards(request)
    (link,) = card["links"]
    assert link["url"] == f"{BASE}/"
    assert "no medical record number" in link["label"]
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


def test_the_whole_app_refuses_unsigned_calls(serve: Serve) -> None:
    app_caller = serve()
    _, request, _ = conformance_pairs()[0]
    response = app_caller.http.post(
        f"{app_caller.base}/cds-services/owm-order-select", json=request
    )
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]
    assert app_caller.http.get(f"{app_caller.base}/cds-services").status_code == 200


def test_a_token_is_used_once_across_server_processes(serve: Serve, database: Any) -> None:
    first, second = serve(), serve()
    _, request, _ = conformance_pairs()[0]
    assert first.call("owm-order-select", request, jti="shared-once").status_code == 200
    again = second.call("owm-order-select", request, jti="shared-once")
    assert again.status_code == 401
    assert "replay" in again.json()["detail"]
    assert second.call("owm-order-select", request, jti="another").status_code == 200
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM cds_seen_token")).scalar_one()
    assert stored == 2


def test_seen_tokens_are_kept_until_they_expire_then_removed(database: Any) -> None:
    sessions = session_factory(database.engine)
    now = time.time()

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    one, other = DatabaseReplays(uow), DatabaseReplays(uow)
    assert one.first_use(ISSUER, "a", now + 300, now) is True
    assert one.first_use(ISSUER, "a", now + 300, now + 1) is False
    assert other.first_use(ISSUER, "a", now + 300, now + 2) is False
    assert other.first_use("https://other.example", "a", now + 300, now + 2) is True
    assert one.first_use(ISSUER, "b", now + 30, now + 3) is True
    later = now + SWEEP_SECONDS + 301  # past every expiry and past the next sweep
    assert DatabaseReplays(uow).first_use(ISSUER, "c", later + 300, later) is True
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cds_seen_token")).scalar_one() == 1


def test_a_fhir_server_not_allowed_for_the_issuer_is_refused(serve: Serve) -> None:
    app_caller = serve()
    _, request, _ = conformance_pairs()[0]
    body = {**request, "fhirServer": "https://elsewhere.example/fhir"}
    response = app_caller.call("owm-order-select", body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "https://elsewhere.example/fhir" in detail
    assert ISSUER in detail and CONFORMANCE_FHIR in detail


def _ward(database: Any, name: str, zone: str) -> int:
    view = wards.create_ward(
        database.uow(),
        Actor.system("test"),
        name=name,
        timezone=zone,
        protocol_id="clonazepam-adjunct",
    )
    return view.id


def _admit(database: Any, ward_id: int, mrn: str, at: datetime) -> int:
    system = Actor.system("test")
    nurse = users.create_user(
        database.uow(),
        system,
        username=f"nurse-{mrn.lower()}",
        full_name="A Nurse",
        role="nurse",
        password="correct horse battery",
    )
    result = admission.admit(
        database.uow(FixedClock(at)),
        Actor(user_id=nurse.id, role="nurse"),
        ward_id=ward_id,
        name="Ann Able",
        mrn=mrn,
        age_years=34,
        first_line_offered=True,
        first_line_choice="declined",
    )
    return result.patient.id


def _clonazepam_call(mrn: str | None) -> tuple[dict[str, Any], datetime]:
    """The base vignette as the EHR holds it, without owm's ward-time-zone extension."""
    patient = vignette_patient("01-base-give")
    prefetch = patient.prefetch()
    for key, value in prefetch.items():
        if key == "patient" and mrn is not None:
            value["identifier"] = [
                {"type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}]}, "value": mrn}
            ]
        if key == "encounters":
            for entry in value["entry"]:
                entry["resource"]["extension"] = [
                    e for e in entry["resource"]["extension"] if e["url"] != EXT.ward_timezone
                ]
    body = hook_request(
        "order-select",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id)],
        prefetch=prefetch,
    )
    return body, patient.at


def _owm_card(cards: list[dict[str, Any]]) -> dict[str, Any]:
    return next(c for c in cards if c["source"]["topic"]["code"].startswith("clonazepam-"))


def test_a_matched_patient_links_to_owm_and_gives_the_wards_time_zone(
    serve: Serve, database: Any
) -> None:
    body, at = _clonazepam_call("MRN-77")
    _ward(database, "Ward 7", "Europe/London")
    london = _ward(database, "Ward 8", "Europe/London")
    _ward(database, "Ward 9", "America/New_York")
    owm_id = _admit(database, london, "MRN-77", at - timedelta(days=1))
    card = _owm_card(serve(clock=lambda: at).cards(body))
    assert card["source"]["topic"]["code"] == "clonazepam-give"
    assert card["links"] == [
        {"label": "Open the patient in owm", "url": f"{BASE}/patients/{owm_id}", "type": "absolute"}
    ]


def test_the_only_ward_gives_the_time_zone_and_an_unknown_mrn_links_to_the_board(
    serve: Serve, database: Any
) -> None:
    body, at = _clonazepam_call("MRN-NOT-IN-OWM")
    _ward(database, "Ward 7", "Europe/London")
    card = _owm_card(serve(clock=lambda: at).cards(body))
    assert card["source"]["topic"]["code"] == "clonazepam-give"
    (link,) = card["links"]
    assert link["url"] == f"{BASE}/?mrn=MRN-NOT-IN-OWM"
    assert "no owm patient has MRN MRN-NOT-IN-OWM" in link["label"]


def test_without_a_zone_from_ehr_setting_or_ward_owm_cannot_evaluate(
    serve: Serve, database: Any
) -> None:
    body, at = _clonazepam_call(None)
    _ward(database, "Ward 7", "Europe/London")
    _ward(database, "Ward 9", "America/New_York")
    card = _owm_card(serve(clock=lambda: at).cards(body))
    assert card["source"]["topic"]["code"] == "clonazepam-not-evaluated"
    assert "no ward time zone" in card["detail"]
