"""Which FHIR servers a call may name: the ones configured for its issuer (https, or http on
loopback); in unsigned mode loopback ones, and the ones listed in OWM_CDS_UNSIGNED_FHIR_SERVERS.

A refused server is never contacted: the stand-in EHR counts the requests it gets.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cds_helpers import (
    Caller,
    EhrStandIn,
    LiveServer,
    Signer,
    hook_request,
    medication_request,
    owm_cds,
    trusting,
)

from owm.cds import CdsConfig, ConfigError, cds_config_from_env
from owm.cds.config import fhir_server_url

PATIENT = "pt-srv"
DRAFT = medication_request(
    "lzp", PATIENT, rxnorm=None, display="Lorazepam 1 MG Oral Tablet", status="draft"
)


@pytest.fixture(scope="module")
def ehr() -> Iterator[tuple[EhrStandIn, str]]:
    stand_in = EhrStandIn(resources=[{"resourceType": "Patient", "id": PATIENT}], token=None)
    with LiveServer(stand_in.app()) as server:
        yield stand_in, f"{server.url}/fhir"


def body(server: str) -> dict[str, object]:
    return hook_request("order-sign", PATIENT, drafts=[DRAFT], fhir_server=server)


def test_an_issuer_may_name_only_its_configured_servers(ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    signer = Signer("RS384")
    with owm_cds(trusting(signer, fhir_servers=(fhir + "/",))) as owm:
        client = Caller(owm.url, signer)
        try:
            before = len(stand_in.requests)
            assert client.call("owm-order-sign", body(fhir)).status_code == 200
            assert len(stand_in.requests) > before
            fetched = len(stand_in.requests)
            other = fhir.replace("/fhir", "/other-fhir")
            refused = client.call("owm-order-sign", body(other))
            assert refused.status_code == 400
            assert "is not allowed for issuer" in refused.json()["detail"]
            assert len(stand_in.requests) == fetched
        finally:
            client.close()


def test_unsigned_mode_allows_loopback_servers_and_the_listed_ones(
    ehr: tuple[EhrStandIn, str],
) -> None:
    _, fhir = ehr
    with owm_cds(CdsConfig(allow_unsigned=True)) as owm:
        url = f"{owm.url}/cds-services/owm-order-sign"
        assert httpx.post(url, json=body(fhir), timeout=30).status_code == 200
        refused = httpx.post(url, json=body("https://ehr.example.org/fhir"), timeout=30)
        assert refused.status_code == 400
        assert "unsigned calls" in refused.json()["detail"]
        assert "loopback servers" in refused.json()["detail"]
    listed = frozenset({"https://ehr.example.org/fhir"})
    config = CdsConfig(allow_unsigned=True, unsigned_fhir_servers=listed, fhir_timeout=1.0)
    with owm_cds(config) as owm:
        url = f"{owm.url}/cds-services/owm-order-sign"
        answer = httpx.post(url, json=body("https://ehr.example.org/fhir/"), timeout=30)
        # Allowed, so owm tried to fetch from it: that host does not exist here (412).
        assert answer.status_code == 412


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://EHR.example.org/fhir/", "https://ehr.example.org/fhir"),
        ("https://ehr.example.org:8443/r4", "https://ehr.example.org:8443/r4"),
        ("http://localhost:8080/fhir", "http://localhost:8080/fhir"),
        ("http://127.0.0.1:9/fhir", "http://127.0.0.1:9/fhir"),
        ("http://[::1]:9/fhir", "http://[::1]:9/fhir"),
        ("http://ehr.example.org/fhir", None),
        ("https://ehr.example.org/fhir?x=1", None),
        ("https://user:pw@ehr.example.org/fhir", None),
        ("ftp://ehr.example.org/fhir", None),
        ("not a url", None),
    ],
)
def test_fhir_server_urls_are_https_or_loopback(url: str, normal: str | None) -> None:
    assert fhir_server_url(url) == normal


def test_fhir_servers_are_read_from_the_settings() -> None:
    clients = (
        '{"clients": {"https://ehr.example.org": {"jwks_url": "https://ehr.example.org/jwks", '
        '"fhir_servers": ["https://ehr.example.org/fhir/", "http://localhost:8080/fhir"]}}}'
    )
    config = cds_config_from_env(
        {
            "OWM_CDS_CLIENTS": clients,
            "OWM_CDS_UNSIGNED_FHIR_SERVERS": "https://a.example/fhir, https://b.example/r4",
        }
    )
    assert config.clients["https://ehr.example.org"].fhir_servers == {
        "https://ehr.example.org/fhir",
        "http://localhost:8080/fhir",
    }
    assert config.unsigned_fhir_servers == {"https://a.example/fhir", "https://b.example/r4"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {
                "OWM_CDS_CLIENTS": '{"clients": {"x": {"jwks_url": "https://x.example/j", '
                '"fhir_servers": ["http://ehr.example.org/fhir"]}}}'
            },
            "fhir_servers",
        ),
        (
            {
                "OWM_CDS_CLIENTS": '{"clients": {"x": {"jwks_url": "https://x.example/j", '
                '"fhir_servers": "https://ehr.example.org/fhir"}}}'
            },
            "a list of base URLs",
        ),
        ({"OWM_CDS_UNSIGNED_FHIR_SERVERS": "http://ehr.example.org/fhir"}, "UNSIGNED_FHIR"),
    ],
)
def test_bad_fhir_server_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        cds_config_from_env(env)
