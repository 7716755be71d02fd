"""Bad input: 422 naming the field, the value and what is allowed, and nothing stored changed.

One table of bad requests, whoever catches them: the request schema (types,
unknown fields, missing fields, times without a zone), the service (codes,
instrument items, physiological limits, late charting) or the path and query
parameters. Each row says the field, the value and a part of the "allowed" text
the answer must carry; the whole database is compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from ..helpers import COWS_MODERATE, GOOD_VITALS
from .conftest import Api
from .scenes import Scene


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    url: Callable[[Scene], str]
    body: Callable[[Scene], Any] | None
    field: str
    value: Any
    allowed: str
    role: str = "nurse"
    hours_later: float = 0
    """Hours the clock moves on after the scene is made (before the request)."""


def ep(scene: Scene, tail: str) -> str:
    return f"/api/episodes/{scene.episode_id}{tail}"


def iso(scene: Scene, **delta: float) -> str:
    return (scene.world.clock() + timedelta(**delta)).isoformat()


def cows(**changes: Any) -> dict[str, Any]:
    return {"instrument": "COWS", "items": {**COWS_MODERATE, **changes}}


BAD: list[Bad] = [
    Bad(
        "a COWS item value the instrument does not have",
        "POST",
        lambda s: ep(s, "/assessments"),
        lambda s: cows(sweating=7),
        "items.sweating",
        7,
        "0, 1, 2, 3, 4",
    ),
    Bad(
        "an unknown instrument",
        "POST",
        lambda s: ep(s, "/assessments"),
        lambda s: {"instrument": "CIWA", "items": COWS_MODERATE},
        "instrument",
        "CIWA",
        "COWS",
    ),
    Bad(
        "a pulse no one can have",
        "POST",
        lambda s: ep(s, "/vitals"),
        lambda s: {**GOOD_VITALS, "pulse": 400},
        "pulse",
        400,
        "0 to 300",
    ),
    Bad(
        "a pulse sent as text",
        "POST",
        lambda s: ep(s, "/vitals"),
        lambda s: {**GOOD_VITALS, "pulse": "96"},
        "pulse",
        "96",
        "a whole number",
    ),
    Bad(
        "a misspelt field",
        "POST",
        lambda s: ep(s, "/vitals"),
        lambda s: {**GOOD_VITALS, "puls": 96},
        "puls",
        96,
        "no such field",
    ),
    Bad(
        "a time without a time zone",
        "POST",
        lambda s: ep(s, "/vitals"),
        lambda s: {**GOOD_VITALS, "at": "2026-11-25T08:00:00"},
        "at",
        "2026-11-25T08:00:00",
        "time zone",
    ),
    Bad(
        "a time in the future",
        "POST",
        lambda s: ep(s, "/sedation"),
        lambda s: {"scale": "POSS", "level": "1", "at": iso(s, hours=1)},
        "at",
        "2026-11-25T09:00:00Z",
        "not in the future",
    ),
    Bad(
        "a POSS level the scale does not have",
        "POST",
        lambda s: ep(s, "/sedation"),
        lambda s: {"scale": "POSS", "level": "5"},
        "level",
        "5",
        "S",
    ),
    Bad(
        "an unknown symptom code",
        "POST",
        lambda s: ep(s, "/symptoms"),
        lambda s: {"code": "headache"},
        "code",
        "headache",
        "restless-legs",
    ),
    Bad(
        "a dose as a binary float",
        "POST",
        lambda s: ep(s, "/administrations/give"),
        lambda s: {"dose_mg": 0.5, "idempotency_key": "k"},
        "dose_mg",
        0.5,
        "exact decimal",
    ),
    Bad(
        "a dose that is not a number",
        "POST",
        lambda s: ep(s, "/administrations/give"),
        lambda s: {"dose_mg": "half", "idempotency_key": "k"},
        "dose_mg",
        "half",
        "decimal",
    ),
    Bad(
        "a give without an idempotency key",
        "POST",
        lambda s: ep(s, "/administrations/give"),
        lambda s: {"dose_mg": "0.5"},
        "idempotency_key",
        None,
        "required",
    ),
    Bad(
        "a dose charted later than the protocol allows",
        "POST",
        lambda s: ep(s, "/administrations/give"),
        lambda s: {"dose_mg": "0.5", "idempotency_key": "late", "given_at": iso(s, hours=-3)},
        "given_at",
        "2026-11-25T09:00:00Z",
        "no more than 2 h before now",
        hours_later=4,
    ),
    Bad(
        "an unknown outcome",
        "POST",
        lambda s: ep(s, "/administrations/give"),
        lambda s: {"dose_mg": "0.5", "idempotency_key": "k", "outcome": "spat out"},
        "outcome",
        "spat out",
        "vomited",
    ),
    Bad(
        "an unknown condition at admission",
        "POST",
        lambda s: "/api/patients",
        lambda s: {
            "ward_id": s.world.ward_id,
            "name": "New",
            "mrn": f"BAD-{s.n}",
            "age_years": 40,
            "first_line_offered": True,
            "first_line_choice": "declined",
            "conditions": ["gout"],
        },
        "conditions.0",
        "gout",
        "sleep-apnoea",
    ),
    Bad(
        "first-line care not offered without saying why",
        "POST",
        lambda s: "/api/patients",
        lambda s: {
            "ward_id": s.world.ward_id,
            "name": "New",
            "mrn": f"BAD-{s.n}",
            "age_years": 40,
            "first_line_offered": False,
            "first_line_choice": "undecided",
        },
        "first_line_note",
        None,
        "",
    ),
    Bad(
        "acknowledging a hold, which nobody can",
        "POST",
        lambda s: ep(s, "/acknowledgements"),
        lambda s: {"finding": "min-interval", "reason": "I know best"},
        "finding",
        "min-interval",
        "opioid-benzodiazepine",
        role="physician",
    ),
    Bad(
        "an unknown discharge referral",
        "POST",
        lambda s: ep(s, "/discharge"),
        lambda s: {
            "moud_referral": "none",
            "naloxone_supplied": True,
            "psychotherapy_referral": False,
        },
        "moud_referral",
        "none",
        "buprenorphine",
    ),
    Bad(
        "six stars",
        "POST",
        lambda s: ep(s, "/rating"),
        lambda s: {"stars": 6},
        "stars",
        6,
        "at most 5",
    ),
    Bad(
        "voiding a kind of record that cannot be voided",
        "POST",
        lambda s: "/api/voids",
        lambda s: {"record_type": "patient", "entry_id": 1, "reason": "oops"},
        "record_type",
        "patient",
        "assessment",
    ),
    Bad(
        "an episode id of 0",
        "GET",
        lambda s: "/api/episodes/0/recommendation",
        None,
        "episode_id",
        "0",
        "at least 1",
    ),
    Bad(
        "an episode id beyond any that can exist",
        "POST",
        lambda s: "/api/episodes/99999999999/vitals",
        lambda s: GOOD_VITALS,
        "episode_id",
        "99999999999",
        "at most 2147483647",
    ),
    Bad(
        "an audit page too large",
        "GET",
        lambda s: "/api/audit?limit=5000",
        None,
        "limit",
        "5000",
        "at most 1000",
        role="admin",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=lambda b: b.name)
def test_bad_input_names_field_value_and_allowed_and_changes_nothing(api: Api, bad: Bad) -> None:
    scene = Scene(api, bad.role)
    url = bad.url(scene)
    api.world.advance(hours=bad.hours_later)
    body = bad.body(scene) if bad.body is not None else None
    before = api.snapshot()
    response = api.client.request(bad.method, url, json=body, headers=api.auth(bad.role))
    assert response.status_code == 422, response.json()
    items = response.json()["detail"]
    assert isinstance(items, list) and items
    assert set(items[0]) == {"loc", "field", "value", "message", "allowed"}
    match = [item for item in items if item["field"] == bad.field]
    assert match, f"no problem names {bad.field!r}: {items}"
    assert match[0]["value"] == bad.value
    assert bad.allowed in match[0]["allowed"]
    assert api.snapshot() == before


def test_a_body_that_is_not_json_is_422_naming_the_body(api: Api) -> None:
    scene = Scene(api, "nurse")
    response = api.client.post(
        ep(scene, "/vitals"),
        content=b"{pulse: 96",
        headers={**api.auth("nurse"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["allowed"] == "a valid JSON document"


def test_every_problem_is_reported_at_once(api: Api) -> None:
    scene = Scene(api, "nurse")
    response = api.post(
        ep(scene, "/vitals"), "nurse", json={"pulse": "fast", "spo2": 98.5, "colour": "pink"}
    )
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["detail"]}
    assert fields == {"pulse", "spo2", "colour"}


GUARDED = [
    pytest.param(
        b'{"dose_mg": "0.5", "dose_mg": "4", "idempotency_key": "k"}',
        422,
        "given twice",
        id="a key given twice",
    ),
    pytest.param(
        b'{"dose_mg": ' + b"9" * 5000 + b', "idempotency_key": "k"}',
        422,
        "an integer of 5000 digits",
        id="a 5000-digit number",
    ),
    pytest.param(b'{"dose_mg": NaN, "idempotency_key": "k"}', 422, "NaN", id="NaN"),
    pytest.param(b'{"dose_mg": 1e999, "idempotency_key": "k"}', 422, "too large", id="1e999"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, 422, "nested deeper than 64", id="deep"),
    pytest.param(
        b'{"dose_mg": "0.5", "note": "\\ud800", "idempotency_key": "k"}',
        422,
        "lone surrogate",
        id="a lone surrogate",
    ),
    pytest.param(
        b'{"pad": "' + b"x" * (6 * 1024 * 1024) + b'"}', 413, "larger than 5 MB", id="6 MB"
    ),
]


@pytest.mark.parametrize(("body", "status", "says"), GUARDED)
def test_every_json_body_goes_through_the_guarded_reader(
    api: Api, body: bytes, status: int, says: str
) -> None:
    """The REST API reads bodies as `owm evaluate` reads files (clinical spec section 8):
    the same limits, the same words, in the API's one error shape; nothing stored."""
    episode = api.world.admit()
    before = api.snapshot()
    response = api.client.post(
        f"/api/episodes/{episode}/administrations/give",
        content=body,
        headers={**api.auth("nurse"), "Content-Type": "application/json"},
    )
    assert response.status_code == status, response.text[:300]
    (item,) = response.json()["detail"]
    assert item["loc"] == ["body"] and says in item["message"]
    assert api.snapshot() == before


def test_the_sign_in_and_cds_hooks_bodies_are_guarded_too(api: Api) -> None:
    """Without signing in: the token endpoint and a CDS Hooks call refuse a duplicate key
    before anything else reads the body."""
    duplicate = b'{"username": "nurse", "username": "admin", "password": "x"}'
    for url in ("/api/tokens", "/cds-services/owm-order-select"):
        response = api.client.post(
            url, content=duplicate, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (url, response.text[:300])
        assert "given twice" in response.json()["detail"][0]["message"]
