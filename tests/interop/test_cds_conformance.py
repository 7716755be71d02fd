"""The CDC opioid guideline's recommendation 11 conformance cases, through real HTTP.

Every `request-*.json` in `tests/data/conformance/opioid-cds-rec11` is sent, signed,
to owm's service for its hook; owm must answer with as many cards as the matching
`response-*.json` has, with an indicator of at least `warning` where it has one
(the folder's README). The folder is read here: a missing folder fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cds_helpers import SERVICE_FOR_HOOK, Caller, Signer, conformance_pairs, owm_cds, trusting

RANK = {"info": 0, "warning": 1, "critical": 2}
PAIRS = conformance_pairs()


@pytest.fixture(scope="module")
def caller() -> Iterator[Caller]:
    signer = Signer("ES384")
    with owm_cds(trusting(signer)) as server:
        client = Caller(server.url, signer)
        yield client
        client.close()


def test_the_folder_has_all_eight_cases() -> None:
    names = {name for name, _, _ in PAIRS}
    assert len(names) == 8
    assert {"benzo-trigger-with-opioid", "patient-view-opioid-trigger-without-benzo"} <= names


@pytest.mark.parametrize(("name", "request_body", "expected"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_request_gets_the_expected_cards(
    caller: Caller, name: str, request_body: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = caller.call(SERVICE_FOR_HOOK[request_body["hook"]], request_body)
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert len(cards) == len(expected["cards"]), [c["summary"] for c in cards]
    for card, reference in zip(cards, expected["cards"], strict=True):
        assert RANK[card["indicator"]] >= RANK[reference["indicator"]] >= RANK["warning"]
        assert len(card["summary"]) < 140
        assert card["source"]["label"]


@pytest.mark.parametrize(
    ("name", "request_body", "expected"),
    [p for p in PAIRS if p[2]["cards"]],
    ids=[p[0] for p in PAIRS if p[2]["cards"]],
)
def test_the_warning_names_both_medicines(
    caller: Caller, name: str, request_body: dict[str, Any], expected: dict[str, Any]
) -> None:
    (card,) = caller.cards(request_body)
    assert "flurazepam" in card["detail"] and "oxycodone" in card["detail"]
    assert card["source"]["topic"]["code"] == "opioid-benzodiazepine"


def without_codes(value: Any) -> Any:
    """The request with every RxNorm code removed (names only)."""
    if isinstance(value, dict):
        return {
            k: without_codes(v)
            for k, v in value.items()
            if not (k == "code" and "rxnorm" in str(value.get("system", "")))
        }
    if isinstance(value, list):
        return [without_codes(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "request_body", "expected"), PAIRS, ids=[p[0] for p in PAIRS])
def test_medicines_are_recognised_by_name_without_a_code(
    caller: Caller, name: str, request_body: dict[str, Any], expected: dict[str, Any]
) -> None:
    stripped = without_codes(request_body)
    assert "1298088" not in str(stripped) and "1049502" not in str(stripped)
    assert len(caller.cards(stripped)) == len(expected["cards"])
