"""Signing in: bearer tokens, page sessions with CSRF, the login rate limit, the audit trail."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from owm.http.app import create_app
from owm.http.ratelimit import LoginLimiter
from owm.service import users

from ..helpers import GOOD_VITALS
from .conftest import PASSWORD, Api, TestClient, make_settings
from .scenes import Scene


def audit_actions(api: Api) -> list[tuple[str, str, str]]:
    with api.world.db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT action, username, role FROM audit_log ORDER BY seq")
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def login_form(api: Api) -> str:
    """GET /login; returns the CSRF token of the form (the cookie holds the same)."""
    page = api.client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    assert api.client.cookies.get("owm_csrf") == match.group(1)
    return match.group(1)


def sign_in_page(api: Api, username: str = "nurse1", password: str = PASSWORD) -> Any:
    token = login_form(api)
    return api.client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def set_cookies(response: Any) -> dict[str, str]:
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = header
    return cookies


# Bearer tokens -------------------------------------------------------------


def test_a_token_from_username_and_password_works_and_both_are_audited(api: Api) -> None:
    response = api.client.post(
        "/api/tokens", json={"username": "physician1", "password": PASSWORD, "name": "laptop"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("owm_")
    assert body["token_type"] == "bearer"
    assert body["info"]["name"] == "laptop"
    me = api.client.get("/api/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "physician1"
    actions = audit_actions(api)
    assert ("user.sign-in", "physician1", "physician") in actions
    assert ("api_token.issue", "physician1", "physician") in actions


def test_a_wrong_password_is_401_and_audited(api: Api) -> None:
    response = api.client.post("/api/tokens", json={"username": "nurse1", "password": "guess"})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong username or password"}
    assert ("user.sign-in-failed", "nurse1", "nurse") in audit_actions(api)


def test_an_unknown_username_is_401_the_same_way_and_audited_as_typed(api: Api) -> None:
    response = api.client.post("/api/tokens", json={"username": "mallory", "password": "guess"})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong username or password"}
    assert ("user.sign-in-failed", "mallory", "anonymous") in audit_actions(api)


@pytest.mark.parametrize(
    "header",
    ["Bearer owm_0000_not-a-real-token", "Bearer", "Basic bnVyc2UxOnBhc3M=", "owm_token"],
)
def test_bad_credentials_are_401(api: Api, header: str) -> None:
    response = api.client.get("/api/users/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_stops_working_at_once(api: Api) -> None:
    tokens = api.get("/api/tokens", "nurse").json()
    mine = next(t for t in tokens if t["name"] == "test")
    assert (
        api.client.delete(f"/api/tokens/{mine['id']}", headers=api.auth("nurse")).status_code == 200
    )
    assert api.get("/api/users/me", "nurse").status_code == 401


def test_a_deactivated_users_tokens_stop_working(api: Api) -> None:
    nurse_id = api.actor("nurse").user_id
    response = api.post(f"/api/users/{nurse_id}/deactivate", "admin")
    assert response.status_code == 200
    assert api.get("/api/users/me", "nurse").status_code == 401


def test_an_expired_token_is_401(api: Api) -> None:
    actor = api.actor("nurse")
    assert actor.user_id is not None
    issued = users.issue_token(
        api.world.uow(), actor, user_id=actor.user_id, name="short", expires_in=timedelta(minutes=5)
    )
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/api/users/me", headers=headers).status_code == 200
    api.world.advance(minutes=6)
    assert api.client.get("/api/users/me", headers=headers).status_code == 401


# Login rate limit ----------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def with_limiter_clock(api: Api) -> FakeMonotonic:
    clock = FakeMonotonic()
    runtime = api.client.app.state.owm  # type: ignore[attr-defined]
    api.client.app.state.owm = dataclasses.replace(  # type: ignore[attr-defined]
        runtime, limiter=LoginLimiter(5, timedelta(minutes=15), clock=clock)
    )
    return clock


def test_five_failures_for_a_username_refuse_even_the_right_password_until_the_window_passes(
    api: Api,
) -> None:
    clock = with_limiter_clock(api)
    for _ in range(5):
        wrong = api.client.post("/api/tokens", json={"username": "nurse1", "password": "nope"})
        assert wrong.status_code == 401
        clock.now += 10
    refused = api.client.post("/api/tokens", json={"username": "nurse1", "password": PASSWORD})
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert "too many failed logins" in refused.json()["detail"]
    audited_before = len(audit_actions(api))
    clock.now += retry_after
    allowed = api.client.post("/api/tokens", json={"username": "nurse1", "password": PASSWORD})
    assert allowed.status_code == 201
    assert len(audit_actions(api)) > audited_before


def test_five_failures_from_one_address_refuse_other_usernames_too(api: Api) -> None:
    with_limiter_clock(api)
    for name in ("ann", "bob", "cat", "dan", "eve"):
        assert (
            api.client.post("/api/tokens", json={"username": name, "password": "x"}).status_code
            == 401
        )
    refused = api.client.post("/api/tokens", json={"username": "admin1", "password": PASSWORD})
    assert refused.status_code == 429
    assert "retry-after" in refused.headers


def test_the_login_page_is_rate_limited_too(api: Api) -> None:
    with_limiter_clock(api)
    for _ in range(5):
        assert sign_in_page(api, password="nope").status_code == 401
    refused = sign_in_page(api)
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert "owm_session" not in set_cookies(refused)


# Page sessions and CSRF ---------------------------------------------------


def test_a_visitor_to_the_root_gets_the_login_page(api: Api) -> None:
    response = api.client.get("/", follow_redirects=False)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert 'action="/login"' in response.text
    assert 'name="password"' in response.text


def test_signing_in_on_the_page_sets_an_httponly_lax_session_cookie(api: Api) -> None:
    response = sign_in_page(api)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookies = set_cookies(response)
    session = cookies["owm_session"].lower()
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "secure" not in session
    assert "httponly" not in cookies["owm_csrf"].lower()
    assert api.client.get("/api/users/me").json()["username"] == "nurse1"


def test_the_secure_flag_is_set_when_configured(database: Any, tmp_path: Path, api: Api) -> None:
    settings = make_settings(database, tmp_path, cookie_secure=True)
    app = create_app(settings, engine=database.engine, clock=api.world.clock)
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        token = client.cookies.get("owm_csrf")
        assert token is not None and token in page.text
        response = client.post(
            "/login",
            data={"username": "nurse1", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "secure" in set_cookies(response)["owm_session"].lower()


def test_a_login_form_without_its_csrf_token_is_refused(api: Api) -> None:
    login_form(api)
    response = api.client.post(
        "/login",
        data={"username": "nurse1", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "owm_session" not in set_cookies(response)


def test_a_cookie_authenticated_change_needs_the_csrf_token(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    assert sign_in_page(api).status_code == 303
    token = api.client.cookies.get("owm_csrf")
    url = f"/api/episodes/{episode}/vitals"
    before = api.snapshot()
    missing = api.client.post(url, json=GOOD_VITALS)
    wrong = api.client.post(url, json=GOOD_VITALS, headers={"X-CSRF-Token": "x" * 43})
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "CSRF" in missing.json()["detail"]
    assert api.snapshot() == before
    good = api.client.post(url, json=GOOD_VITALS, headers={"X-CSRF-Token": token or ""})
    assert good.status_code == 201
    assert good.json()["entered_by"] == api.actor("nurse").user_id


def test_a_bearer_request_needs_no_csrf_token_even_with_a_session_cookie(api: Api) -> None:
    episode = Scene(api, "nurse").episode_id
    assert sign_in_page(api).status_code == 303
    response = api.post(f"/api/episodes/{episode}/vitals", "physician", json=GOOD_VITALS)
    assert response.status_code == 201
    assert response.json()["entered_by"] == api.actor("physician").user_id


def test_signing_out_ends_the_session_everywhere(api: Api) -> None:
    assert sign_in_page(api).status_code == 303
    stolen = api.client.cookies.get("owm_session")
    token = api.client.cookies.get("owm_csrf")
    refused = api.client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    response = api.client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    api.client.cookies.clear()
    api.client.cookies.set("owm_session", stolen or "")
    assert api.client.get("/api/users/me").status_code == 401


def test_a_tampered_session_cookie_is_401(api: Api) -> None:
    assert sign_in_page(api).status_code == 303
    cookie = api.client.cookies.get("owm_session") or ""
    api.client.cookies.clear()
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    api.client.cookies.set("owm_session", tampered)
    assert api.client.get("/api/users/me").status_code == 401
