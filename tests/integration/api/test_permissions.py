"""Every endpoint against the permission matrix: role x endpoint -> expected status.

The table below is the matrix as the API applies it (N nurse, P physician, Ph
pharmacist, A admin). Each row is one request; the test sends it as each role,
every time on a fresh scene, and expects the success status for the roles in the
row and 403 (with nothing stored changed) for the others; without credentials
every endpoint answers 401. Two further tests keep the table honest: every route
of the app has a row, and each row's roles equal the service's permission matrix
for the permission the row names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute

from owm.service.permissions import MATRIX, Permission

from ..helpers import COWS_MODERATE, GOOD_VITALS
from .conftest import ROLES, Api
from .scenes import Scene

ROLE_CODES = {"N": "nurse", "P": "physician", "Ph": "pharmacist", "A": "admin"}
EVERYONE = "N P Ph A"


@dataclass(frozen=True)
class Row:
    """One request: method, path template, how to fill it, who may, what success is."""

    method: str
    path: str
    url: Callable[[Scene], str]
    roles: str
    success: int
    permission: Permission | None = None
    body: Callable[[Scene], Any] | None = None

    @property
    def allowed(self) -> set[str]:
        return {ROLE_CODES[code] for code in self.roles.split()}

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def ep(scene: Scene, tail: str = "") -> str:
    return f"/api/episodes/{scene.episode_id}{tail}"


ROWS: list[Row] = [
    # Tokens and users
    Row("GET", "/api/tokens", lambda s: "/api/tokens", EVERYONE, 200, Permission.MANAGE_OWN_TOKENS),
    Row(
        "DELETE",
        "/api/tokens/{token_id}",
        lambda s: f"/api/tokens/{s.own_token_id}",
        EVERYONE,
        200,
        Permission.MANAGE_OWN_TOKENS,
    ),
    Row("GET", "/api/users/me", lambda s: "/api/users/me", EVERYONE, 200),
    Row("GET", "/api/users", lambda s: "/api/users", "A", 200, Permission.MANAGE_USERS),
    Row(
        "POST",
        "/api/users",
        lambda s: "/api/users",
        "A",
        201,
        Permission.MANAGE_USERS,
        lambda s: {
            "username": f"new{s.n}",
            "full_name": "New Nurse",
            "role": "nurse",
            "password": "a long enough password",
        },
    ),
    Row(
        "GET",
        "/api/users/{user_id}",
        lambda s: f"/api/users/{s.other_user_id}",
        "A",
        200,
        Permission.MANAGE_USERS,
    ),
    Row(
        "PUT",
        "/api/users/{user_id}/password",
        lambda s: f"/api/users/{s.other_user_id}/password",
        "A",
        200,
        Permission.MANAGE_USERS,
        lambda s: {"new_password": "a brand new password"},
    ),
    Row(
        "POST",
        "/api/users/{user_id}/deactivate",
        lambda s: f"/api/users/{s.other_user_id}/deactivate",
        "A",
        200,
        Permission.MANAGE_USERS,
    ),
    Row(
        "GET",
        "/api/users/{user_id}/tokens",
        lambda s: f"/api/users/{s.other_user_id}/tokens",
        "A",
        200,
        Permission.MANAGE_USERS,
    ),
    Row(
        "POST",
        "/api/users/{user_id}/tokens",
        lambda s: f"/api/users/{s.other_user_id}/tokens",
        "A",
        201,
        Permission.MANAGE_USERS,
        lambda s: {"name": "script"},
    ),
    # Wards
    Row("GET", "/api/wards", lambda s: "/api/wards", EVERYONE, 200),
    Row(
        "POST",
        "/api/wards",
        lambda s: "/api/wards",
        "A",
        201,
        Permission.MANAGE_WARDS,
        lambda s: {
            "name": f"Ward {s.n}",
            "timezone": "Europe/London",
            "protocol_id": "clonazepam-adjunct",
        },
    ),
    Row("GET", "/api/wards/{ward_id}", lambda s: f"/api/wards/{s.world.ward_id}", EVERYONE, 200),
    # Patients and episodes
    Row(
        "GET",
        "/api/patients",
        lambda s: f"/api/patients?ward_id={s.world.ward_id}",
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    Row(
        "POST",
        "/api/patients",
        lambda s: "/api/patients",
        "N P",
        201,
        Permission.ADMIT,
        lambda s: {
            "ward_id": s.world.ward_id,
            "name": "New Patient",
            "mrn": f"NEW-{s.n}",
            "age_years": 40,
            "first_line_offered": True,
            "first_line_choice": "buprenorphine",
        },
    ),
    Row(
        "GET",
        "/api/patients/{patient_id}",
        lambda s: f"/api/patients/{s.patient_id}",
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    Row(
        "PATCH",
        "/api/patients/{patient_id}",
        lambda s: f"/api/patients/{s.patient_id}",
        "N P",
        200,
        Permission.UPDATE_PATIENT,
        lambda s: {"bed": "4B"},
    ),
    Row(
        "GET",
        "/api/patients/{patient_id}/episodes",
        lambda s: f"/api/patients/{s.patient_id}/episodes",
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    Row(
        "GET",
        "/api/episodes/{episode_id}",
        lambda s: ep(s),
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    Row(
        "GET",
        "/api/episodes/{episode_id}/record",
        lambda s: ep(s, "/record"),
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    Row(
        "GET",
        "/api/episodes/{episode_id}/recommendations",
        lambda s: ep(s, "/recommendations"),
        "N P Ph",
        200,
        Permission.READ_RECORD,
    ),
    # Records
    Row(
        "POST",
        "/api/episodes/{episode_id}/assessments",
        lambda s: ep(s, "/assessments"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: {"instrument": "COWS", "items": COWS_MODERATE},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/vitals",
        lambda s: ep(s, "/vitals"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: GOOD_VITALS,
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/sedation",
        lambda s: ep(s, "/sedation"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: {"scale": "RASS", "level": "0"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/symptoms",
        lambda s: ep(s, "/symptoms"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: {"code": "restless-legs"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/side-effects",
        lambda s: ep(s, "/side-effects"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: {"code": "drowsiness", "note": "sleepy after lunch"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/alcohol",
        lambda s: ep(s, "/alcohol"),
        "N P",
        201,
        Permission.RECORD_OBSERVATION,
        lambda s: {"breath_alcohol_mg_l": "0"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/medications",
        lambda s: ep(s, "/medications"),
        "N P",
        201,
        Permission.MANAGE_MEDICATIONS,
        lambda s: {"name": "pregabalin", "med_class": "gabapentinoid"},
    ),
    Row(
        "POST",
        "/api/medications/{medication_id}/stop",
        lambda s: f"/api/medications/{s.medication_id}/stop",
        "N P",
        200,
        Permission.MANAGE_MEDICATIONS,
        lambda s: {},
    ),
    Row(
        "POST",
        "/api/medications/{medication_id}/change",
        lambda s: f"/api/medications/{s.medication_id}/change",
        "N P",
        201,
        Permission.MANAGE_MEDICATIONS,
        lambda s: {"dose_text": "50 mg daily"},
    ),
    # The recommendation, doses, holds
    Row(
        "GET",
        "/api/episodes/{episode_id}/recommendation",
        lambda s: ep(s, "/recommendation"),
        "N P Ph",
        200,
        Permission.VIEW_RECOMMENDATION,
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/administrations/give",
        lambda s: ep(s, "/administrations/give"),
        "N P",
        201,
        Permission.GIVE_DOSE,
        lambda s: {"dose_mg": "0.5", "idempotency_key": f"give-{s.n}"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/administrations",
        lambda s: ep(s, "/administrations"),
        "N P",
        201,
        Permission.GIVE_DOSE,
        lambda s: {"drug": "loperamide", "dose_mg": "4"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/holds",
        lambda s: ep(s, "/holds"),
        "N P",
        201,
        Permission.HOLD_DOSE,
        lambda s: {"reason": "patient asleep"},
    ),
    # Physicians' decisions and what nurses record about them
    Row(
        "POST",
        "/api/episodes/{episode_id}/acknowledgements",
        lambda s: ep(s, "/acknowledgements"),
        "P",
        201,
        Permission.ACKNOWLEDGE,
        lambda s: {"finding": "opioid-benzodiazepine", "reason": "methadone taper; monitored"},
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/escalation-contacts",
        lambda s: ep(s, "/escalation-contacts"),
        "N P",
        201,
        Permission.RECORD_ESCALATION_CONTACT,
        lambda s: {
            "finding": "opioid-benzodiazepine",
            "told_who": "Dr Example",
            "response": "will review at 10:00",
        },
    ),
    Row(
        "POST",
        "/api/voids",
        lambda s: "/api/voids",
        "N P",
        200,
        Permission.VOID_ENTRY,
        lambda s: {"record_type": "assessment", "entry_id": s.assessment_id, "reason": "wrong bed"},
    ),
    Row(
        "POST",
        "/api/voids (acknowledgement)",
        lambda s: "/api/voids",
        "P",
        200,
        Permission.VOID_ACKNOWLEDGEMENT,
        lambda s: {
            "record_type": "acknowledgement",
            "entry_id": s.acknowledgement_id,
            "reason": "wrong patient",
        },
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/discharge",
        lambda s: ep(s, "/discharge"),
        "N P",
        201,
        Permission.DISCHARGE,
        lambda s: {
            "moud_referral": "buprenorphine",
            "naloxone_supplied": True,
            "psychotherapy_referral": True,
        },
    ),
    Row(
        "POST",
        "/api/episodes/{episode_id}/rating",
        lambda s: ep(s, "/rating"),
        "N P",
        201,
        Permission.RECORD_RATING,
        lambda s: {"stars": 4},
    ),
    # Governance
    Row(
        "POST",
        "/api/problem-reports",
        lambda s: "/api/problem-reports",
        EVERYONE,
        201,
        Permission.REPORT_PROBLEM,
        lambda s: {"text": "the advice contradicted the chart", "episode_id": s.episode_id},
    ),
    Row(
        "GET",
        "/api/problem-reports",
        lambda s: "/api/problem-reports",
        "P Ph A",
        200,
        Permission.REVIEW_PROBLEMS,
    ),
    Row(
        "POST",
        "/api/problem-reports/{report_id}/close",
        lambda s: f"/api/problem-reports/{s.problem_report_id}/close",
        "P Ph A",
        200,
        Permission.REVIEW_PROBLEMS,
        lambda s: {"resolution": "reviewed at governance meeting"},
    ),
    Row("GET", "/api/audit", lambda s: "/api/audit", "Ph A", 200, Permission.READ_AUDIT),
    Row(
        "GET",
        "/api/audit/verify",
        lambda s: "/api/audit/verify",
        "Ph A",
        200,
        Permission.READ_AUDIT,
    ),
    Row(
        "GET",
        "/api/reports/overrides",
        lambda s: "/api/reports/overrides",
        "P Ph A",
        200,
        Permission.GOVERNANCE_REPORT,
    ),
]

UNAUTHENTICATED_ROUTES = {("POST", "/api/tokens")}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_each_role_gets_what_the_matrix_allows(api: Api, row: Row) -> None:
    for role in ROLES:
        scene = Scene(api, role)
        url = row.url(scene)  # make the scene's records before counting rows
        body = row.body(scene) if row.body is not None else None
        before = api.snapshot() if role not in row.allowed else None
        response = api.client.request(row.method, url, headers=api.auth(role), json=body)
        if role in row.allowed:
            assert response.status_code == row.success, (role, response.json())
        else:
            assert response.status_code == 403, (role, response.json())
            assert response.json()["role"] == role
            assert api.snapshot() == before, f"a refused request by {role} changed the record"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_without_credentials_every_endpoint_is_401_and_changes_nothing(api: Api, row: Row) -> None:
    scene = Scene(api, "nurse")
    url = row.url(scene)
    body = row.body(scene) if row.body is not None else None
    before = api.snapshot()
    response = api.client.request(row.method, url, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert api.snapshot() == before


def test_every_api_route_has_a_row_in_the_table(api: Api) -> None:
    routes = {
        (method, route.path)
        for route in api.client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
        for method in route.methods
    }
    covered = {(row.method, row.path.split(" (")[0]) for row in ROWS}
    assert routes - covered - UNAUTHENTICATED_ROUTES == set()


@pytest.mark.parametrize("row", [r for r in ROWS if r.permission is not None], ids=lambda r: r.id)
def test_the_table_agrees_with_the_service_permission_matrix(row: Row) -> None:
    assert row.permission is not None
    assert row.allowed == set(MATRIX[row.permission]) or (
        # Reading or changing another user's account is for admins; one's own is for all.
        row.permission is Permission.MANAGE_OWN_TOKENS and row.allowed == set(ROLES)
    )
