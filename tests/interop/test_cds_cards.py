"""What owm's cards say and suggest: clonazepam advice, the opioid-benzodiazepine warning,
stable uuids, duplicates counted once, and never a suggestion to stop methadone or
buprenorphine. Every call goes over real HTTP with a signed JWT.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from cds_helpers import (
    VIGNETTES,
    Caller,
    Signer,
    clonazepam_order,
    hook_request,
    medication_request,
    owm_cds,
    trusting,
    vignette_patient,
)

from owm.cds.prefetch import TEMPLATES

BASE = "https://owm.example.org"
P = "pt-7"


def med(
    ident: str, display: str, *, status: str = "active", rxnorm: str | None = None, **kw: Any
) -> dict[str, Any]:
    return medication_request(ident, P, rxnorm=rxnorm, display=display, status=status, **kw)


OXYCODONE = med(
    "oxy", "12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet", rxnorm="1049502"
)
METHADONE = med("mtd", "Methadone Hydrochloride 10 MG Oral Tablet")
BUPRENORPHINE = med("bup", "Buprenorphine 8 MG Sublingual Tablet")
DIAZEPAM = med("dzp", "Diazepam 5 MG Oral Tablet")
LORAZEPAM_DRAFT = med("lzp-d", "Lorazepam 1 MG Oral Tablet", status="draft", dose=(1, "mg"))
LORAZEPAM_DRAFT_2 = med("lzp-d2", "Lorazepam 1 MG Oral Tablet", status="draft", dose=(1, "mg"))
METHADONE_DRAFT = med("mtd-d", "Methadone Hydrochloride 10 MG Oral Tablet", status="draft")
BUPRENORPHINE_DRAFT = med("bup-d", "Buprenorphine 8 MG Sublingual Tablet", status="draft")
OXYCODONE_DRAFT = med("oxy-d", "Oxycodone Hydrochloride 5 MG Oral Tablet", status="draft")
IBUPROFEN_DRAFT = med("ibu-d", "Ibuprofen 400 MG Oral Tablet", status="draft")
MOUD_IDS = {"mtd", "bup", "mtd-d", "bup-d"}


def prefetch(*current: dict[str, Any], patient: str = P) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(TEMPLATES)
    data["patient"] = {"resourceType": "Patient", "id": patient, "birthDate": "1980-01-01"}
    if current:
        data["medicationRequests"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in current],
        }
    return data


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer("ES384")


@pytest.fixture(scope="module")
def caller(signer: Signer) -> Iterator[Caller]:
    with owm_cds(trusting(signer, base_url=BASE, ward_timezone="Europe/London")) as server:
        client = Caller(server.url, signer, aud_base=BASE)
        yield client
        client.close()


def sign(
    drafts: list[dict[str, Any]], *current: dict[str, Any], patient: str = P
) -> dict[str, Any]:
    return hook_request(
        "order-sign", patient, drafts=drafts, prefetch=prefetch(*current, patient=patient)
    )


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for s in card.get("suggestions", []) for a in s.get("actions", [])]


def assert_well_formed(card: dict[str, Any]) -> None:
    assert len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"] and card["source"]["topic"]["code"]
    assert card["detail"]
    if card.get("suggestions"):
        assert card["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in card["suggestions"]:
            assert suggestion["label"] and suggestion["uuid"]
    assert all(reason["display"] for reason in card["overrideReasons"])
    assert not list(empty_values(card)), list(empty_values(card))


def empty_values(value: Any, path: str = "card") -> Any:
    """Paths of null or empty values (CDS Hooks forbids them; optional fields are left out)."""
    if value is None or value in ("", [], {}):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from empty_values(item, f"{path}[{index}]")


# --- the opioid-benzodiazepine warning -------------------------------------------------


def test_a_benzodiazepine_draft_with_a_current_opioid_warns_and_offers_to_cancel(
    caller: Caller,
) -> None:
    (card,) = caller.cards(sign([LORAZEPAM_DRAFT], OXYCODONE))
    assert_well_formed(card)
    assert card["indicator"] == "warning"
    assert card["source"]["url"].startswith("https://www.cdc.gov/")
    (suggestion,) = card["suggestions"]
    assert actions(card) == [
        {
            "type": "delete",
            "description": "Cancel the draft order for Lorazepam 1 MG Oral Tablet",
            "resourceId": "MedicationRequest/lzp-d",
        }
    ]
    assert suggestion["label"] == "Cancel the draft lorazepam order"
    # Without owm's database there is no owm patient to open: the card points to the board.
    (link,) = card["links"]
    assert link["url"] == f"{BASE}/"
    assert "owm's ward board" in link["label"]


def test_nothing_to_say_without_a_pair(caller: Caller) -> None:
    assert caller.cards(sign([LORAZEPAM_DRAFT])) == []
    assert caller.cards(sign([OXYCODONE_DRAFT])) == []
    assert caller.cards(sign([IBUPROFEN_DRAFT], OXYCODONE)) == []


def test_several_draft_orders_at_once(caller: Caller) -> None:
    """A benzodiazepine and an opioid ordered together, nothing current: one card."""
    (card,) = caller.cards(sign([LORAZEPAM_DRAFT, OXYCODONE_DRAFT, IBUPROFEN_DRAFT]))
    assert "lorazepam" in card["detail"] and "oxycodone" in card["detail"]
    assert [a["resourceId"] for a in actions(card)] == ["MedicationRequest/lzp-d"]


def test_order_select_decides_on_the_selected_orders(caller: Caller) -> None:
    def select(selected: str) -> list[dict[str, Any]]:
        body = hook_request(
            "order-select",
            P,
            drafts=[LORAZEPAM_DRAFT, IBUPROFEN_DRAFT],
            prefetch=prefetch(OXYCODONE),
            selections=[selected],
        )
        return caller.cards(body)

    assert len(select("MedicationRequest/lzp-d")) == 1
    assert select("MedicationRequest/ibu-d") == []


def test_patient_view_warns_about_current_medicines_without_suggestions(caller: Caller) -> None:
    body = hook_request("patient-view", P, prefetch=prefetch(OXYCODONE, DIAZEPAM))
    (card,) = caller.cards(body)
    assert_well_formed(card)
    assert "suggestions" not in card


def test_a_stopped_medicine_is_not_current(caller: Caller) -> None:
    stopped = {**OXYCODONE, "status": "stopped"}
    assert caller.cards(sign([LORAZEPAM_DRAFT], stopped)) == []


def test_a_medicine_of_another_patient_is_not_read(caller: Caller) -> None:
    theirs = {**OXYCODONE, "subject": {"reference": "Patient/someone-else"}}
    assert caller.cards(sign([LORAZEPAM_DRAFT], theirs)) == []


# --- duplicates --------------------------------------------------------------------------


def test_the_same_order_sent_twice_counts_once(caller: Caller) -> None:
    body = sign([LORAZEPAM_DRAFT, LORAZEPAM_DRAFT], OXYCODONE, OXYCODONE)
    body["prefetch"]["item9"] = OXYCODONE  # and again under a key of the client's own
    body["prefetch"]["drafts"] = LORAZEPAM_DRAFT  # the draft also in prefetch
    (card,) = caller.cards(body)
    assert "counted once" not in card["detail"]
    assert "- Benzodiazepine: lorazepam (draft order)" in card["detail"]
    assert "- Opioid: oxycodone (current)" in card["detail"]
    assert len(actions(card)) == 1


def test_two_orders_of_the_same_medicine_make_one_card(caller: Caller) -> None:
    (card,) = caller.cards(sign([LORAZEPAM_DRAFT, LORAZEPAM_DRAFT_2], OXYCODONE))
    assert "lorazepam (2 draft orders, counted once)" in card["detail"]
    (suggestion,) = card["suggestions"]
    assert [a["resourceId"] for a in suggestion["actions"]] == [
        "MedicationRequest/lzp-d",
        "MedicationRequest/lzp-d2",
    ]


# --- methadone and buprenorphine ------------------------------------------------------------

MOUD_CASES = {
    "methadone-draft-with-diazepam": sign([METHADONE_DRAFT], DIAZEPAM),
    "buprenorphine-draft-with-diazepam": sign([BUPRENORPHINE_DRAFT], DIAZEPAM),
    "lorazepam-draft-with-methadone": sign([LORAZEPAM_DRAFT], METHADONE),
    "lorazepam-draft-with-buprenorphine": sign([LORAZEPAM_DRAFT], BUPRENORPHINE),
    "methadone-and-lorazepam-drafts": sign([METHADONE_DRAFT, LORAZEPAM_DRAFT]),
    "buprenorphine-draft-lorazepam-draft-methadone": sign(
        [BUPRENORPHINE_DRAFT, LORAZEPAM_DRAFT], METHADONE
    ),
    "patient-view": hook_request("patient-view", P, prefetch=prefetch(METHADONE, DIAZEPAM)),
    "clonazepam-draft-with-methadone": sign([clonazepam_order("czp", P)], METHADONE),
}


@pytest.mark.parametrize("body", list(MOUD_CASES.values()), ids=list(MOUD_CASES))
def test_never_a_suggestion_to_stop_methadone_or_buprenorphine(
    caller: Caller, body: dict[str, Any]
) -> None:
    cards = caller.cards(body)
    assert cards, "every case has an opioid with a benzodiazepine"
    for card in cards:
        assert_well_formed(card)
        if card["source"]["topic"]["code"] == "opioid-benzodiazepine":
            assert "avoid" not in card["summary"].lower()
            assert "do not withhold" in card["summary"]
        for suggestion in card.get("suggestions", []):
            assert "methadone" not in suggestion["label"].lower()
            assert "buprenorphine" not in suggestion["label"].lower()
        for action in actions(card):
            target = action.get("resourceId") or action["resource"]["id"]
            assert target.rsplit("/", 1)[-1] not in MOUD_IDS, action
    warning = next(
        c
        for c in cards
        if c["source"]["topic"]["code"] == "opioid-benzodiazepine"
        or "clonazepam" in c["source"]["topic"]["code"]
    )
    assert (
        "Do not stop or withhold" in warning["detail"]
        or "do not stop methadone or buprenorphine" in warning["detail"]
    )


# --- clonazepam: owm's recommendation ---------------------------------------------------------


def vignette_names() -> list[str]:
    names = []
    for path in sorted(VIGNETTES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        # A vignette whose state is invalid (10-bad-cows-item, exit status 2) has no
        # FHIR form to send: owm's export refuses it.
        if "action" in document["expect"]:
            names.append(path.stem)
    return names


@pytest.mark.parametrize("name", vignette_names())
def test_a_clonazepam_order_gets_owms_recommendation(signer: Signer, name: str) -> None:
    patient = vignette_patient(name)
    body = hook_request(
        "order-select",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id, dose=(0.5, "mg"))],
        prefetch=patient.prefetch(),
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        try:
            cards = client.cards(body)
        finally:
            client.close()
    card = next(c for c in cards if c["source"]["topic"]["code"].startswith("clonazepam-"))
    assert_well_formed(card)
    action = patient.expect["action"]
    assert card["source"]["topic"]["code"] == f"clonazepam-{action}"
    for code in patient.expect.get("findings", []):
        assert f"`{code}`" in card["detail"]
    expected_indicator = {"emergency": "critical", "contraindicated": "critical", "give": None}.get(
        action, "warning"
    )
    if expected_indicator:
        assert card["indicator"] == expected_indicator
    if action == "give":
        dose = Decimal(patient.expect["dose_mg"])
        said = re.search(r"clonazepam ([0-9.]+) mg", card["summary"])
        assert said is not None and Decimal(said.group(1)) == dose
        if dose == Decimal("0.5"):
            assert card["indicator"] == "info" and "suggestions" not in card
        else:
            (suggestion,) = card["suggestions"]
            (update,) = suggestion["actions"]
            quantity = update["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
            assert Decimal(str(quantity["value"])) == dose
            assert quantity["code"] == "mg"
    elif action in ("emergency", "contraindicated"):
        (suggestion,) = card["suggestions"]
        assert suggestion["isRecommended"] is True
        assert suggestion["actions"] == [
            {
                "type": "delete",
                "description": "Cancel the draft order for clonazepam 0.5 MG Oral Tablet",
                "resourceId": "MedicationRequest/czp-1",
            }
        ]
    elif action == "escalate":
        assert "suggestions" not in card


def test_a_clonazepam_order_without_a_dose(signer: Signer) -> None:
    patient = vignette_patient("01-base-give")
    body = hook_request(
        "order-sign",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id, dose=None)],
        prefetch=patient.prefetch(),
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        (card,) = client.cards(body)
        client.close()
    assert card["indicator"] == "warning"
    assert "no dose in mg given" in card["detail"]
    (update,) = actions(card)
    assert update["type"] == "update"
    assert (
        update["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 0.5
    )


def test_a_dose_in_tablets_is_read_from_the_strength(signer: Signer) -> None:
    patient = vignette_patient("01-base-give")
    body = hook_request(
        "order-sign",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id, dose=(2, "{tablet}"))],
        prefetch=patient.prefetch(),
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        (card,) = client.cards(body)
        client.close()
    assert "czp-1: clonazepam, 1.0 mg" in card["detail"]
    assert card["indicator"] == "warning"  # 1.0 mg ordered, 0.5 mg allowed
    assert (
        actions(card)[0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"][
            "value"
        ]
        == 0.5
    )


def test_two_clonazepam_orders_make_one_card(signer: Signer) -> None:
    patient = vignette_patient("01-base-give")
    drafts = [
        clonazepam_order("czp-1", patient.patient_id),
        clonazepam_order("czp-2", patient.patient_id, dose=(1, "mg")),
    ]
    body = hook_request(
        "order-sign", patient.patient_id, drafts=drafts, prefetch=patient.prefetch()
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        cards = client.cards(body)
        client.close()
    (card,) = cards
    assert "2 draft clonazepam orders: counted once" in card["detail"]
    (suggestion,) = card["suggestions"]
    assert [a["resource"]["id"] for a in suggestion["actions"]] == ["czp-2"]


def test_without_enough_data_owm_says_it_cannot_evaluate(caller: Caller) -> None:
    body = hook_request("order-sign", P, drafts=[clonazepam_order("czp", P)], prefetch=prefetch())
    body["prefetch"]["patient"] = None
    (card,) = caller.cards(body)
    assert_well_formed(card)
    assert card["source"]["topic"]["code"] == "clonazepam-not-evaluated"
    assert "Patient" in card["detail"]


def test_with_an_opioid_the_clonazepam_card_carries_the_warning_alone(signer: Signer) -> None:
    """Methadone is current: owm's escalation names it; no second card says the same."""
    patient = vignette_patient("07-methadone-escalate")
    body = hook_request(
        "order-sign",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id)],
        prefetch=patient.prefetch(),
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        cards = client.cards(body)
        client.close()
    (card,) = cards
    assert card["source"]["topic"]["code"] == "clonazepam-escalate"
    assert "opioid-benzodiazepine" in card["summary"]


# --- uuid stability -------------------------------------------------------------------------


def test_the_same_finding_on_the_same_patient_keeps_its_uuid(caller: Caller) -> None:
    first = caller.cards(sign([LORAZEPAM_DRAFT], OXYCODONE))[0]
    again = caller.cards(sign([LORAZEPAM_DRAFT_2], OXYCODONE))[0]
    view = caller.cards(hook_request("patient-view", P, prefetch=prefetch(OXYCODONE, DIAZEPAM)))[0]
    theirs = {**OXYCODONE, "subject": {"reference": "Patient/pt-8"}}
    other = caller.cards(sign([LORAZEPAM_DRAFT], theirs, patient="pt-8"))[0]
    assert first["uuid"] == again["uuid"]
    assert view["uuid"] != first["uuid"]  # another service
    assert other["uuid"] != first["uuid"]  # another patient
    assert first["suggestions"][0]["uuid"] == again["suggestions"][0]["uuid"]
    select = hook_request("order-select", P, drafts=[LORAZEPAM_DRAFT], prefetch=prefetch(OXYCODONE))
    assert caller.cards(select)[0]["uuid"] != first["uuid"]


def test_bad_input_names_the_field(caller: Caller) -> None:
    body = sign([LORAZEPAM_DRAFT], OXYCODONE)
    del body["context"]["patientId"]
    response = caller.call("owm-order-sign", body)
    assert response.status_code == 422
    assert "patientId" in response.text
    wrong_hook = sign([LORAZEPAM_DRAFT], OXYCODONE)
    response = caller.call("owm-patient-view", wrong_hook)
    assert response.status_code == 422
    assert "patient-view" in response.json()["detail"]
    assert caller.call("owm-unknown", wrong_hook).status_code == 404


def test_discovery_lists_the_three_services_with_prefetch(caller: Caller) -> None:
    services = caller.discovery().json()["services"]
    assert {(s["id"], s["hook"]) for s in services} == {
        ("owm-order-select", "order-select"),
        ("owm-order-sign", "order-sign"),
        ("owm-patient-view", "patient-view"),
    }
    for service in services:
        assert service["description"] and service["title"]
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert all("{{context.patientId}}" in t for t in service["prefetch"].values())


def test_selections_that_name_no_draft_decide_on_all_drafts(caller: Caller) -> None:
    body = hook_request(
        "order-select",
        P,
        drafts=[LORAZEPAM_DRAFT],
        prefetch=prefetch(OXYCODONE),
        selections=["MedicationRequest/not-in-the-drafts"],
    )
    assert len(caller.cards(body)) == 1


def test_resources_owm_does_not_read_do_not_stop_the_evaluation(signer: Signer) -> None:
    patient = vignette_patient("01-base-give")
    data = patient.prefetch()
    data["user"] = {"resourceType": "Practitioner", "id": "p1", "gender": "not-a-gender"}
    body = hook_request(
        "order-select",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id)],
        prefetch=data,
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        (card,) = client.cards(body)
        client.close()
    assert card["source"]["topic"]["code"] == "clonazepam-give"


def test_the_card_lists_conditions_owm_could_not_read(signer: Signer) -> None:
    patient = vignette_patient("01-base-give")
    prefetch = patient.prefetch()
    unread = {
        "resourceType": "Condition",
        "id": "htn",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "59621000", "display": "Hypertension"}
            ],
            "text": "Essential *hypertension*",
        },
        "subject": {"reference": f"Patient/{patient.patient_id}"},
    }
    prefetch["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": unread}],
    }
    body = hook_request(
        "order-select",
        patient.patient_id,
        drafts=[clonazepam_order("czp-1", patient.patient_id)],
        prefetch=prefetch,
    )
    with owm_cds(trusting(signer), clock=patient.clock()) as owm:
        client = Caller(owm.url, signer)
        try:
            cards = client.cards(body)
        finally:
            client.close()
    card = next(c for c in cards if c["source"]["topic"]["code"].startswith("clonazepam-"))
    # What owm cannot read is never dropped (clinical spec section 8): it escalates.
    assert card["source"]["topic"]["code"] == "clonazepam-escalate"
    assert "unmapped-record" in card["detail"] or "could not read" in card["detail"]
    assert "**Not read by owm: check these yourself**" in card["detail"]
    listed = card["detail"].split("**Not read by owm: check these yourself**", 1)[1]
    line = next(x for x in listed.splitlines() if "Condition/htn" in x)
    # The EHR's text is shown as text: its markdown is escaped, here and in the reasons.
    assert "\\*hypertension\\*" in card["detail"].split("**Reasons**", 1)[1]
    assert "Essential \\*hypertension\\*" in line and "SNOMED CT 59621000" in line
