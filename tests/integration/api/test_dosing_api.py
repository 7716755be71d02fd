"""Giving a dose over HTTP: 201 when allowed, 409 with the findings when not, replays.

The guard itself is tested in tests/integration/test_dosing.py; here the HTTP
answers: what a client sees, and that a refused or repeated request stores no dose.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from .conftest import Api
from .scenes import Scene


def doses(api: Api, episode_id: int) -> list[Any]:
    with api.world.db.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT id, dose_ug, idempotency_key FROM administration "
                    "WHERE episode_id = :e ORDER BY id"
                ),
                {"e": episode_id},
            ).all()
        )


def give(api: Api, episode_id: int, key: str, dose: str = "0.5", role: str = "nurse") -> Any:
    return api.post(
        f"/api/episodes/{episode_id}/administrations/give",
        role,
        json={"dose_mg": dose, "idempotency_key": key},
    )


def test_a_dose_the_protocol_allows_is_201_with_the_recommendation_that_allowed_it(
    api: Api,
) -> None:
    episode = Scene(api, "nurse").episode_id
    response = give(api, episode, "first")
    assert response.status_code == 201
    body = response.json()
    assert body["replayed"] is False
    assert body["administration"]["dose_mg"] == "0.5"
    assert body["administration"]["idempotency_key"] == "first"
    assert body["recommendation"]["action"] == "give"
    assert body["recommendation"]["format"] == "owm-recommendation/1"
    assert [row.idempotency_key for row in doses(api, episode)] == ["first"]


def test_the_same_key_again_returns_the_same_answer_and_records_one_dose(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    first = give(api, episode, "press-1")
    api.world.advance(seconds=30)
    again = give(api, episode, "press-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["administration"] == {**first.json()["administration"], "replayed": True}
    assert again.json()["recommendation"] == first.json()["recommendation"]
    assert len(doses(api, episode)) == 1


def test_the_same_key_for_a_different_dose_is_409_and_records_nothing(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    assert give(api, episode, "press-1").status_code == 201
    response = give(api, episode, "press-1", dose="0.25")
    assert response.status_code == 409
    assert "idempotency key" in response.json()["detail"]
    assert len(doses(api, episode)) == 1


def test_a_second_dose_too_soon_is_409_with_the_findings_that_refused_it(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    assert give(api, episode, "first").status_code == 201
    api.world.advance(minutes=20)
    response = give(api, episode, "second", role="physician")
    assert response.status_code == 409
    body = response.json()
    assert body["action"] == "hold"
    assert body["reasons"] == ["min-interval"]
    codes = [finding["code"] for finding in body["findings"]]
    assert codes == ["min-interval"]
    finding = body["findings"][0]
    assert {"code", "severity", "rule", "message", "source", "values"} <= set(finding)
    assert body["recommendation"]["action"] == "hold"
    assert "min-interval" in body["detail"]
    assert [row.idempotency_key for row in doses(api, episode)] == ["first"]


def test_a_dose_above_the_recommended_one_is_409_and_records_nothing(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    response = give(api, episode, "big", dose="2")
    assert response.status_code == 409
    assert response.json()["reasons"] == ["dose-above-recommended"]
    assert doses(api, episode) == []


def test_a_patient_not_yet_assessed_is_refused_with_the_missing_assessment(api: Api) -> None:
    episode = api.world.admit("NEW-1")
    response = give(api, episode, "k")
    assert response.status_code == 409
    assert "no-assessment" in response.json()["reasons"]
    assert doses(api, episode) == []


def test_an_unknown_episode_is_404_naming_it(api: Api) -> None:
    response = give(api, 987654, "k")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "episode 987654 not found",
        "record_type": "episode",
        "record_id": "987654",
    }


def test_a_discharged_episode_takes_no_more_doses(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    discharged = api.post(
        f"/api/episodes/{episode}/discharge",
        "nurse",
        json={
            "moud_referral": "declined",
            "naloxone_supplied": True,
            "psychotherapy_referral": True,
        },
    )
    assert discharged.status_code == 201
    response = give(api, episode, "after")
    assert response.status_code == 409
    assert "discharged" in response.json()["detail"]
    assert doses(api, episode) == []


def test_a_hold_keeps_the_findings_shown_and_replays_by_key(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    body = {"reason": "patient asleep", "idempotency_key": "hold-1"}
    first = api.post(f"/api/episodes/{episode}/holds", "nurse", json=body)
    again = api.post(f"/api/episodes/{episode}/holds", "nurse", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["hold"]["id"] == again.json()["hold"]["id"]
    assert again.json()["hold"]["replayed"] is True
    assert first.json()["recommendation"]["action"] == "give"


def test_the_recommendation_now_is_logged_as_shown_with_its_protocol(api: Api) -> None:
    episode = Scene(api, "pharmacist").episode_id
    response = api.get(f"/api/episodes/{episode}/recommendation?include_state=true", "pharmacist")
    assert response.status_code == 200
    body = response.json()
    assert body["recommendation"]["action"] == "give"
    assert body["state"]["format"] == "owm-state/1"
    logged = api.get(f"/api/episodes/{episode}/recommendations", "pharmacist").json()
    assert logged[0]["id"] == body["log_id"]
    assert logged[0]["protocol_id"] == "clonazepam-adjunct"
    assert logged[0]["shown_to"] == api.actor("pharmacist").user_id
