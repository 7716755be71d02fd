"""The OpenAPI document, the offline /docs page, and the error shapes not covered elsewhere."""

from __future__ import annotations

import re

import pytest

from owm.clinical import StateError, default_protocol, parse_state
from owm.http.errors import problem_items
from owm.service.errors import input_error_from_state

from .conftest import Api


def test_the_openapi_document_describes_every_api_route_with_bearer_auth(api: Api) -> None:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "/api/episodes/{episode_id}/administrations/give" in document["paths"]
    give = document["paths"]["/api/episodes/{episode_id}/administrations/give"]["post"]
    assert "409" in give["responses"]


def test_the_docs_page_loads_nothing_from_the_internet(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert "/openapi.json" in page.text
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        response = api.client.get(asset)
        assert response.status_code == 200
        assert len(response.content) > 10_000


def test_an_unknown_path_is_404_in_the_same_shape(api: Api) -> None:
    response = api.get("/api/no-such-thing", "nurse")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_a_record_that_does_not_exist_is_404_naming_it(api: Api) -> None:
    response = api.get("/api/patients/424242", "nurse")
    assert response.status_code == 404
    assert response.json()["record_type"] == "patient"
    assert response.json()["record_id"] == "424242"


def test_a_conflict_is_409_with_its_reason(api: Api) -> None:
    first = api.post(
        "/api/wards",
        "admin",
        json={"name": "Ward 7", "timezone": "Europe/London", "protocol_id": "clonazepam-adjunct"},
    )
    assert first.status_code == 409
    assert "already exists" in first.json()["detail"]


def test_the_cores_state_errors_become_input_errors_and_the_same_422_items() -> None:
    with pytest.raises(StateError) as error:
        parse_state(
            {
                "format": "owm-state/1",
                "at": "2026-11-25T14:00:00Z",
                "ward": {"timezone": "Europe/London"},
                "protocol": "clonazepam-adjunct",
                "patient": {"age_years": 34},
                "episode": {"started_at": "2026-11-24T09:00:00Z", "setting": "inpatient"},
                "vitals": [{"at": "2026-11-25T13:30:00Z", "pulse": 400}],
            },
            default_protocol(),
        )
    items = problem_items(input_error_from_state(error.value))
    assert items
    assert {"loc", "field", "value", "message", "allowed"} == set(items[0])
    assert items[0]["field"].startswith("vitals[0]")
    assert items[0]["loc"][:3] == ["body", "vitals", 0]
    assert items[0]["allowed"] == "0 to 300"
    assert "400" in items[0]["message"]
