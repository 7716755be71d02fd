"""The no-prefetch path: owm fetches from the EHR's FHIR server (a stand-in on localhost).

The stand-in is a real HTTP server holding the patient's resources. It checks the
bearer token of `fhirAuthorization`, pages its searches, and can refuse (401) or
stall; owm must answer 412 when it cannot get the data, never cards made from
part of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cds_helpers import (
    Caller,
    EhrStandIn,
    LiveServer,
    Signer,
    clonazepam_order,
    hook_request,
    medication_request,
    owm_cds,
    trusting,
    vignette_patient,
)

from owm.cds.prefetch import TEMPLATES

PATIENT = "pt-42"
OXYCODONE = medication_request(
    "oxy-1",
    PATIENT,
    rxnorm="1049502",
    display="12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet",
)
LORAZEPAM_DRAFT = medication_request(
    "lzp-draft",
    PATIENT,
    rxnorm=None,
    display="Lorazepam 1 MG Oral Tablet",
    status="draft",
    dose=(1, "mg"),
)
PATIENT_RESOURCE = {
    "resourceType": "Patient",
    "id": PATIENT,
    "gender": "male",
    "birthDate": "1980-02-01",
}


@pytest.fixture(scope="module")
def ehr_server() -> Iterator[tuple[EhrStandIn, str, str]]:
    """The EHR stand-in (one server for the module), and the URL of a server that is gone."""
    with LiveServer(EhrStandIn().app()) as server:
        gone = f"{server.url}/fhir"
    stand_in = EhrStandIn()
    with LiveServer(stand_in.app()) as server:
        yield stand_in, f"{server.url}/fhir", gone


@pytest.fixture
def ehr(ehr_server: tuple[EhrStandIn, str, str]) -> tuple[EhrStandIn, str]:
    """The stand-in as each test starts: the patient and an oxycodone order, answering at once."""
    stand_in, fhir, _ = ehr_server
    fresh = EhrStandIn(resources=[PATIENT_RESOURCE, OXYCODONE])
    for name in ("resources", "token", "refuse", "delay", "page_size", "requests"):
        setattr(stand_in, name, getattr(fresh, name))
    return stand_in, fhir


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer("RS384")


@pytest.fixture(scope="module")
def caller(signer: Signer, ehr_server: tuple[EhrStandIn, str, str]) -> Iterator[Caller]:
    _, fhir, gone = ehr_server
    config = trusting(signer, fhir_servers=(fhir, gone), fhir_timeout=1.0, max_fhir_pages=3)
    with owm_cds(config) as server:
        client = Caller(server.url, signer)
        yield client
        client.close()


def order(fhir: str, **extra: Any) -> dict[str, Any]:
    return hook_request("order-sign", PATIENT, drafts=[LORAZEPAM_DRAFT], fhir_server=fhir, **extra)


def test_without_prefetch_owm_fetches_every_template_with_the_token(
    caller: Caller, ehr: tuple[EhrStandIn, str]
) -> None:
    stand_in, fhir = ehr
    response = caller.call("owm-order-sign", order(fhir, token=stand_in.token))
    assert response.status_code == 200, response.text
    (card,) = response.json()["cards"]
    assert card["indicator"] == "warning"
    assert "lorazepam" in card["detail"] and "oxycodone" in card["detail"]
    paths = [path for path, _ in stand_in.requests]
    assert len(paths) == len(TEMPLATES)
    assert f"/fhir/Patient/{PATIENT}" in paths
    assert f"/fhir/MedicationRequest?patient={PATIENT}&status=active" in paths
    assert {header for _, header in stand_in.requests} == {f"Bearer {stand_in.token}"}


def test_the_same_cards_with_and_without_prefetch(
    caller: Caller, ehr: tuple[EhrStandIn, str]
) -> None:
    stand_in, fhir = ehr
    fetched = caller.cards(order(fhir, token=stand_in.token))
    prefetch = dict.fromkeys(TEMPLATES)
    prefetch["patient"] = PATIENT_RESOURCE
    prefetch["medicationRequests"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": OXYCODONE}],
    }
    stand_in.requests.clear()
    prefetched = caller.cards(order(fhir, token=stand_in.token, prefetch=prefetch))
    assert stand_in.requests == []
    assert fetched == prefetched


def test_only_the_missing_keys_are_fetched(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    prefetch = {"patient": PATIENT_RESOURCE, "medicationRequests": None, "observations": None}
    cards = caller.cards(order(fhir, token=stand_in.token, prefetch=prefetch))
    paths = [path for path, _ in stand_in.requests]
    assert len(paths) == len(TEMPLATES) - 3
    assert not any(
        p.startswith(("/fhir/Patient", "/fhir/MedicationRequest", "/fhir/Observation"))
        for p in paths
    )
    # medicationRequests was null (the client has none): no opioid, no card
    assert cards == []


def test_a_prefetch_with_the_clients_own_keys_is_read_as_given(
    caller: Caller, ehr: tuple[EhrStandIn, str]
) -> None:
    stand_in, fhir = ehr
    prefetch = {
        "item1": PATIENT_RESOURCE,
        "item2": {"response": {"status": "200"}, "resource": OXYCODONE},
    }
    cards = caller.cards(order(fhir, token=stand_in.token, prefetch=prefetch))
    assert stand_in.requests == []
    assert len(cards) == 1


def test_a_refused_token_is_412(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    stand_in.refuse = True
    response = caller.call("owm-order-sign", order(fhir, token=stand_in.token))
    assert response.status_code == 412
    assert "401" in response.json()["detail"]


def test_a_wrong_or_missing_token_is_412(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    _, fhir = ehr
    assert caller.call("owm-order-sign", order(fhir, token="stolen")).status_code == 412
    assert caller.call("owm-order-sign", order(fhir)).status_code == 412


def test_a_server_that_does_not_answer_in_time_is_412(
    caller: Caller, ehr: tuple[EhrStandIn, str]
) -> None:
    stand_in, fhir = ehr
    stand_in.delay = 3.0  # owm allows 1 s
    response = caller.call("owm-order-sign", order(fhir, token=stand_in.token))
    assert response.status_code == 412
    assert "in time" in response.json()["detail"] or "within" in response.json()["detail"]


def test_no_fhir_server_and_no_prefetch_is_412(caller: Caller) -> None:
    response = caller.call(
        "owm-order-sign", hook_request("order-sign", PATIENT, drafts=[LORAZEPAM_DRAFT])
    )
    assert response.status_code == 412
    assert "no fhirServer" in response.json()["detail"]


def test_an_unknown_patient_is_412(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    stand_in.resources = [OXYCODONE]
    response = caller.call("owm-order-sign", order(fhir, token=stand_in.token))
    assert response.status_code == 412
    assert "404" in response.json()["detail"]


def test_an_unreachable_server_is_412(
    caller: Caller, ehr_server: tuple[EhrStandIn, str, str]
) -> None:
    gone = ehr_server[2]
    response = caller.call("owm-order-sign", order(gone, token="t"))
    assert response.status_code == 412


def test_pages_are_followed(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    stand_in.page_size = 1
    stand_in.resources = [
        PATIENT_RESOURCE,
        medication_request("a", PATIENT, rxnorm=None, display="Ibuprofen 400 MG Oral Tablet"),
        OXYCODONE,
    ]
    cards = caller.cards(order(fhir, token=stand_in.token))
    assert len(cards) == 1
    assert any("_offset=1" in path for path, _ in stand_in.requests)


def test_too_many_pages_is_412(caller: Caller, ehr: tuple[EhrStandIn, str]) -> None:
    stand_in, fhir = ehr
    stand_in.page_size = 1
    stand_in.resources = [PATIENT_RESOURCE] + [
        medication_request(f"m{i}", PATIENT, rxnorm=None, display="Ibuprofen 400 MG Oral Tablet")
        for i in range(5)
    ]
    response = caller.call("owm-order-sign", order(fhir, token=stand_in.token))
    assert response.status_code == 412
    assert "pages" in response.json()["detail"]


@pytest.mark.parametrize("name", ["01-base-give", "07-methadone-escalate", "05-alcohol"])
def test_clonazepam_advice_from_fetched_data_matches_the_vignette(
    signer: Signer, name: str
) -> None:
    patient = vignette_patient(name)
    stand_in = EhrStandIn(resources=patient.resources)
    with (
        LiveServer(stand_in.app()) as ehr,
        owm_cds(trusting(signer, fhir_servers=(f"{ehr.url}/fhir",)), clock=patient.clock()) as owm,
    ):
        client = Caller(owm.url, signer)
        body = hook_request(
            "order-select",
            patient.patient_id,
            drafts=[clonazepam_order("czp-1", patient.patient_id)],
            fhir_server=f"{ehr.url}/fhir",
            token=stand_in.token,
        )
        try:
            cards = client.cards(body)
        finally:
            client.close()
    owm_card = next(c for c in cards if c["source"]["topic"]["code"].startswith("clonazepam-"))
    assert owm_card["source"]["topic"]["code"] == f"clonazepam-{patient.expect['action']}"
