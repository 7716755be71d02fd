"""Trusting CDS clients: only a JWT from a configured EHR, signed with its key, gets in.

Keys are generated here; the EHR's JWK Set is served over real HTTP by the EHR
stand-in (for `jwks_url` and `jku`); owm runs under uvicorn on localhost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cds_helpers import ISSUER, Caller, EhrStandIn, LiveServer, Signer, hook_request, owm_cds

from owm.cds import CdsConfig, ClientConfig, ConfigError, cds_config_from_env
from owm.cds.prefetch import TEMPLATES

BODY = hook_request("patient-view", "p1", prefetch=dict.fromkeys(TEMPLATES))


@pytest.fixture(scope="module")
def ehr() -> Iterator[tuple[EhrStandIn, LiveServer]]:
    stand_in = EhrStandIn()
    with LiveServer(stand_in.app()) as server:
        yield stand_in, server


@pytest.fixture(scope="module")
def rsa() -> Signer:
    return Signer("RS384")


@pytest.fixture(scope="module")
def caller(rsa: Signer) -> Iterator[Caller]:
    config = CdsConfig(
        clients={
            ISSUER: ClientConfig(iss=ISSUER, jwks=rsa.jwks, jku_hosts=frozenset({"127.0.0.1"})),
            "https://other-ehr.example.org": ClientConfig(
                iss="https://other-ehr.example.org", jwks=Signer("ES384").jwks
            ),
        }
    )
    with owm_cds(config) as server:
        client = Caller(server.url, rsa)
        yield client
        client.close()


def detail(response: Any) -> str:
    return str(response.json()["detail"])


def test_a_valid_token_is_accepted(caller: Caller) -> None:
    response = caller.call("owm-patient-view", BODY)
    assert response.status_code == 200, response.text
    assert response.json() == {"cards": []}


def test_discovery_is_open_but_a_token_sent_with_it_must_verify(caller: Caller) -> None:
    assert caller.discovery().status_code == 200
    wrong = caller.discovery(aud=f"{caller.base}/cds-services/owm-patient-view")
    assert wrong.status_code == 401
    open_call = caller.http.get(f"{caller.base}/cds-services")
    assert open_call.status_code == 200
    assert {s["id"] for s in open_call.json()["services"]} == {
        s["id"] for s in caller.discovery().json()["services"]
    }


def test_a_list_audience_with_the_service_url_is_accepted(caller: Caller) -> None:
    url = f"{caller.base}/cds-services/owm-patient-view"
    response = caller.call("owm-patient-view", BODY, aud=["https://elsewhere.example", url])
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ({"expires_in": -120}, "expired"),
        ({"aud": "https://owm.example.org/cds-services/owm-patient-view"}, "aud"),
        ({"aud": "http://127.0.0.1/cds-services/owm-order-sign"}, "aud"),
        ({"issued_ago": -600}, "iat"),
        ({"expires_in": 86_400}, "exp"),
        ({"omit": ("jti",)}, "jti"),
        ({"omit": ("exp",)}, "exp"),
        ({"kid": "no-such-key"}, "kid"),
    ],
    ids=[
        "expired",
        "other-host-aud",
        "other-service-aud",
        "iat-future",
        "too-long",
        "no-jti",
        "no-exp",
        "unknown-kid",
    ],
)
def test_bad_claims_are_refused(caller: Caller, token: dict[str, Any], why: str) -> None:
    response = caller.call("owm-patient-view", BODY, **token)
    assert response.status_code == 401
    assert why in detail(response)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_unknown_issuer_is_refused(caller: Caller) -> None:
    stranger = Caller(caller.base, caller.signer, iss="https://unknown-ehr.example.org")
    try:
        response = stranger.call("owm-patient-view", BODY)
    finally:
        stranger.close()
    assert response.status_code == 401
    assert "not a trusted CDS client" in detail(response)


def test_a_replayed_jti_is_refused(caller: Caller) -> None:
    first = caller.call("owm-patient-view", BODY, jti="once-only")
    again = caller.call("owm-patient-view", BODY, jti="once-only")
    assert first.status_code == 200
    assert again.status_code == 401
    assert "replay" in detail(again)


def test_a_bad_signature_is_refused(caller: Caller, rsa: Signer) -> None:
    forger = Signer("RS384", kid=rsa.kid)  # same kid, another key
    forged = Caller(caller.base, forger)
    try:
        response = forged.call("owm-patient-view", BODY)
    finally:
        forged.close()
    assert response.status_code == 401
    assert "signature" in detail(response)


def test_a_tampered_token_is_refused(caller: Caller) -> None:
    url = f"{caller.base}/cds-services/owm-patient-view"
    token = caller.signer.token(iss=ISSUER, aud=url)
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"
    response = caller.http.post(url, json=BODY, headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401


def test_a_key_from_another_issuer_does_not_verify(caller: Caller) -> None:
    """A token claiming the other EHR but signed with this EHR's key."""
    other = Caller(caller.base, caller.signer, iss="https://other-ehr.example.org")
    try:
        response = other.call("owm-patient-view", BODY)
    finally:
        other.close()
    assert response.status_code == 401


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_symmetric_and_unsigned_algorithms_are_refused(caller: Caller, alg: str) -> None:
    import jwt

    url = f"{caller.base}/cds-services/owm-patient-view"
    claims = {"iss": ISSUER, "aud": url, "exp": 4_000_000_000, "iat": 1_700_000_000, "jti": alg}
    key = "a-shared-secret-of-thirty-two-bytes!!" if alg == "HS256" else None
    token = jwt.encode(claims, key, algorithm=alg, headers={"kid": caller.signer.kid})
    response = caller.http.post(url, json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "alg" in detail(response)


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer not-a-jwt"])
def test_a_missing_or_malformed_header_is_refused(caller: Caller, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = caller.http.post(
        f"{caller.base}/cds-services/owm-patient-view", json=BODY, headers=headers
    )
    assert response.status_code == 401


def test_a_token_is_checked_before_the_body(caller: Caller) -> None:
    response = caller.http.post(f"{caller.base}/cds-services/owm-patient-view", json={"bad": 1})
    assert response.status_code == 401


def test_keys_from_the_configured_jwks_url(ehr: tuple[EhrStandIn, LiveServer]) -> None:
    stand_in, server = ehr
    signer = Signer("ES384")
    stand_in.jwks = signer.jwks
    config = CdsConfig(
        clients={ISSUER: ClientConfig(iss=ISSUER, jwks_url=f"{server.url}/jwks.json")}
    )
    with owm_cds(config) as owm:
        client = Caller(owm.url, signer)
        try:
            before = stand_in.jwks_requests
            assert client.call("owm-patient-view", BODY).status_code == 200
            assert client.call("owm-patient-view", BODY).status_code == 200
            assert stand_in.jwks_requests == before + 1  # the JWK Set is cached
            forger = Caller(owm.url, Signer("ES384", kid=signer.kid))
            assert forger.call("owm-patient-view", BODY).status_code == 401
            forger.close()
        finally:
            client.close()


def test_keys_from_an_allowed_jku(caller: Caller, ehr: tuple[EhrStandIn, LiveServer]) -> None:
    """The jku host (127.0.0.1) is allowed for ISSUER; the key is only at that URL."""
    stand_in, server = ehr
    signer = Signer("ES256")
    stand_in.jwks = signer.jwks
    client = Caller(caller.base, signer)
    try:
        response = client.call("owm-patient-view", BODY, jku=f"{server.url}/jwks.json")
    finally:
        client.close()
    assert response.status_code == 200, response.text


def test_a_disallowed_jku_is_refused_even_with_a_configured_key(
    caller: Caller, ehr: tuple[EhrStandIn, LiveServer]
) -> None:
    stand_in, server = ehr
    stand_in.jwks = caller.signer.jwks
    jku = server.url.replace("127.0.0.1", "localhost") + "/jwks.json"
    response = caller.call("owm-patient-view", BODY, jku=jku)
    assert response.status_code == 401
    assert "jku" in detail(response)


def test_a_jku_for_an_issuer_without_jku_hosts_is_refused(
    ehr: tuple[EhrStandIn, LiveServer],
) -> None:
    stand_in, server = ehr
    signer = Signer("RS384")
    stand_in.jwks = signer.jwks
    config = CdsConfig(clients={ISSUER: ClientConfig(iss=ISSUER, jwks=signer.jwks)})
    with owm_cds(config) as owm:
        client = Caller(owm.url, signer)
        try:
            response = client.call("owm-patient-view", BODY, jku=f"{server.url}/jwks.json")
        finally:
            client.close()
    assert response.status_code == 401


def test_unsigned_mode_accepts_anything_and_warns_at_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="owm.cds"),
        owm_cds(CdsConfig(allow_unsigned=True)) as owm,
    ):
        import httpx

        response = httpx.post(f"{owm.url}/cds-services/owm-patient-view", json=BODY)
    assert response.status_code == 200
    assert any("verification is OFF" in r.getMessage() for r in caplog.records)


def test_verification_is_on_by_default() -> None:
    config = cds_config_from_env({})
    assert config.allow_unsigned is False
    assert cds_config_from_env({"OWM_CDS_ALLOW_UNSIGNED": "1"}).allow_unsigned is True


def test_clients_are_read_from_json_or_yaml(tmp_path: Any) -> None:
    signer = Signer("ES384")
    import json

    text = json.dumps(
        {"clients": {ISSUER: {"jwks": signer.jwks, "jku_hosts": ["ehr.example.org"]}}}
    )
    config = cds_config_from_env(
        {"OWM_CDS_CLIENTS": text, "OWM_BASE_URL": "https://owm.example.org/"}
    )
    assert config.clients[ISSUER].jku_hosts == {"ehr.example.org"}
    assert config.base_url == "https://owm.example.org"
    path = tmp_path / "clients.yaml"
    path.write_text(f"clients:\n  {ISSUER}:\n    jwks_url: https://ehr.example.org/jwks.json\n")
    assert cds_config_from_env({"OWM_CDS_CLIENTS": str(path)}).clients[ISSUER].jwks_url


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OWM_CDS_CLIENTS": '{"clients": {"x": {}}}'}, "no keys"),
        ({"OWM_CDS_CLIENTS": '{"clients": {"x": {"jwks_url": "ftp://a"}}}'}, "jwks_url"),
        ({"OWM_CDS_CLIENTS": '{"clients": {"x": {"jwks": {"no": 1}}}}'}, "JWK Set"),
        ({"OWM_CDS_CLIENTS": "/no/such/file.yaml"}, "cannot read"),
        ({"OWM_CDS_ALLOW_UNSIGNED": "maybe"}, "OWM_CDS_ALLOW_UNSIGNED"),
        ({"OWM_CDS_FHIR_TIMEOUT": "0"}, "OWM_CDS_FHIR_TIMEOUT"),
        ({"OWM_CDS_WARD_TIMEZONE": "Mars/Olympus"}, "OWM_CDS_WARD_TIMEZONE"),
    ],
)
def test_bad_settings_are_refused_with_a_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        cds_config_from_env(env)
