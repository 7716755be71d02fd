"""Feedback on owm's cards goes into the audit trail, on SQLite and on PostgreSQL.

The CDS client POSTs what the clinician did (accepted a suggestion, overrode a
card with a reason); owm appends one hash-chained audit entry per item, naming
the client (its JWT issuer), the card and, when this process issued it, the
patient and finding. Rows are read back with plain SQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cds_helpers import ISSUER, Caller, Signer, hook_request, medication_request, owm_cds, trusting
from sqlalchemy import text

from owm.cds import FeedbackRecord, audit_recorder
from owm.cds.prefetch import TEMPLATES
from owm.store.audit import verify
from owm.store.uow import UnitOfWork, session_factory

P = "pt-fb"
SERVICE = "owm-order-sign"


def request_body() -> dict[str, Any]:
    prefetch: dict[str, Any] = dict.fromkeys(TEMPLATES)
    prefetch["patient"] = {"resourceType": "Patient", "id": P}
    prefetch["medicationRequests"] = medication_request(
        "oxy",
        P,
        rxnorm="1049502",
        display="12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet",
    )
    draft = medication_request(
        "lzp", P, rxnorm=None, display="Lorazepam 1 MG Oral Tablet", status="draft"
    )
    return hook_request("order-sign", P, drafts=[draft], prefetch=prefetch)


def feedback(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-11-25T14:01:00Z",
            },
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": card["overrideReasons"][0],
                    "userComment": "Palliative patient, reviewed with the family.",
                },
                "outcomeTimestamp": "2026-11-25T14:02:00Z",
            },
        ]
    }


def test_feedback_is_recorded_in_the_audit_trail(database: Any) -> None:
    signer = Signer("RS384")
    sessions = session_factory(database.engine)
    with owm_cds(
        trusting(signer), record_feedback=audit_recorder(lambda: UnitOfWork(sessions))
    ) as owm:
        client = Caller(owm.url, signer)
        try:
            (card,) = client.cards(request_body())
            response = client.feedback(SERVICE, feedback(card))
        finally:
            client.close()
    assert response.status_code == 200, response.text
    assert response.json() == {"recorded": 2}
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, record_type, record_id, username, role, user_id, after "
                "FROM audit_log WHERE record_type = 'cds-card' ORDER BY seq"
            )
        ).all()
    assert [
        (r.action, r.record_type, r.record_id, r.username, r.role, r.user_id) for r in rows
    ] == [
        ("cds-feedback-accepted", "cds-card", card["uuid"], f"cds:{ISSUER}", "cds-client", None),
        ("cds-feedback-overridden", "cds-card", card["uuid"], f"cds:{ISSUER}", "cds-client", None),
    ]
    accepted, overridden = (json.loads(r.after) for r in rows)
    assert accepted["accepted_suggestions"] == [card["suggestions"][0]["uuid"]]
    assert accepted["patient_id"] == P and accepted["finding"] == "opioid-benzodiazepine"
    assert accepted["client"]["iss"] == ISSUER and accepted["client"]["verified"] is True
    assert overridden["override_reason"]["code"] == "benefit-outweighs-risk"
    assert overridden["user_comment"] == "Palliative patient, reviewed with the family."
    assert overridden["outcome_at"] == "2026-11-25T14:02:00Z"
    with sessions() as session:
        assert verify(session).ok


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (
            {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-25T14:01:00Z"},
            "acceptedSuggestions",
        ),
        (
            {"card": "c", "outcome": "ignored", "outcomeTimestamp": "2026-11-25T14:01:00Z"},
            "outcome",
        ),
        (
            {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-25T14:01:00"},
            "outcomeTimestamp",
        ),
        ({"outcome": "overridden", "outcomeTimestamp": "2026-11-25T14:01:00Z"}, "card"),
    ],
)
def test_bad_feedback_is_422_naming_the_field(item: dict[str, Any], field: str) -> None:
    recorded: list[FeedbackRecord] = []
    signer = Signer("ES384")
    with owm_cds(trusting(signer), record_feedback=recorded.extend) as owm:
        client = Caller(owm.url, signer)
        try:
            response = client.feedback(SERVICE, {"feedback": [item]})
        finally:
            client.close()
    assert response.status_code == 422
    assert field in response.text
    assert recorded == []


def test_feedback_needs_a_trusted_client_and_a_recorder() -> None:
    signer = Signer("ES384")
    body = {
        "feedback": [
            {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-25T14:01:00Z"}
        ]
    }
    recorded: list[FeedbackRecord] = []
    with owm_cds(trusting(signer), record_feedback=recorded.extend) as owm:
        client = Caller(owm.url, signer)
        stranger = Caller(owm.url, Signer("ES384"))
        try:
            assert stranger.feedback(SERVICE, body).status_code == 401
            ok = client.feedback(SERVICE, body)
            service_aud = client.feedback(SERVICE, body, aud=f"{owm.url}/cds-services/{SERVICE}")
        finally:
            client.close()
            stranger.close()
    assert ok.status_code == 200 and service_aud.status_code == 200
    assert [r.card for r in recorded] == ["c", "c"]
    assert recorded[0].issued is None  # a card this process never issued is still recorded
    with owm_cds(trusting(signer)) as owm:
        client = Caller(owm.url, signer)
        try:
            assert client.feedback(SERVICE, body).status_code == 503
        finally:
            client.close()
