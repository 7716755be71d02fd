"""The permission matrix: written once, documented, and enforced by every service function.

For each permission, every role calls a service function that needs it: roles in
the matrix get past the check (they may still meet another error, such as a
refused dose), the others get PermissionDenied and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from owm.service import (
    acknowledgements,
    admission,
    alcohol,
    assessments,
    assignments,
    discharge,
    dosing,
    feedback,
    medications,
    observations,
    overrides_report,
    queries,
    symptoms,
    users,
    voiding,
    wards,
)
from owm.service.actor import ROLES, Actor
from owm.service.errors import PermissionDenied, ServiceError
from owm.service.permissions import MATRIX, Permission, allowed
from owm.service.recommendation import get_recommendation

from .helpers import COWS_MODERATE, make_world

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"

Call = Callable[[Any, Actor, dict[str, Any]], object]


def _void(world, actor, ctx, record_type, entry):
    return voiding.void_entry(
        world.uow(), actor, record_type=record_type, entry_id=entry, reason="entered in error"
    )


CALLS: dict[Permission, Call] = {
    Permission.READ_RECORD: lambda w, a, c: queries.episode_record(
        w.uow(), a, episode_id=c["episode"]
    ),
    Permission.VIEW_RECOMMENDATION: lambda w, a, c: get_recommendation(
        w.uow(), a, episode_id=c["episode"]
    ),
    Permission.ADMIT: lambda w, a, c: admission.admit(
        w.uow(),
        a,
        ward_id=w.ward_id,
        name="P",
        mrn=f"NEW-{a.role}",
        age_years=30,
        first_line_offered=True,
        first_line_choice="declined",
    ),
    Permission.UPDATE_PATIENT: lambda w, a, c: admission.update_patient(
        w.uow(), a, patient_id=c["patient"], weight_kg="63"
    ),
    Permission.ASSIGN_NURSE: lambda w, a, c: assignments.assign_nurse(
        w.uow(), a, episode_id=c["episode"], nurse_id=w.nurse.user_id
    ),
    Permission.RECORD_OBSERVATION: lambda w, a, c: assessments.record_assessment(
        w.uow(), a, episode_id=c["episode"], instrument="COWS", items=COWS_MODERATE
    ),
    Permission.MANAGE_MEDICATIONS: lambda w, a, c: medications.record_medication(
        w.uow(), a, episode_id=c["episode"], name="pregabalin", med_class="gabapentinoid"
    ),
    Permission.GIVE_DOSE: lambda w, a, c: dosing.give_dose(
        w.uow(), a, episode_id=c["episode"], dose_mg="0.5", idempotency_key=f"k-{a.role}"
    ),
    Permission.HOLD_DOSE: lambda w, a, c: dosing.hold_dose(
        w.uow(), a, episode_id=c["episode"], reason="asleep"
    ),
    Permission.ACKNOWLEDGE: lambda w, a, c: acknowledgements.acknowledge_finding(
        w.uow(), a, episode_id=c["episode"], finding="cns-depressant", reason="reviewed"
    ),
    Permission.RECORD_ESCALATION_CONTACT: lambda w, a, c: (
        acknowledgements.record_escalation_contact(
            w.uow(),
            a,
            episode_id=c["episode"],
            finding="cns-depressant",
            told_who="Dr X",
            response="will come",
        )
    ),
    Permission.VOID_ENTRY: lambda w, a, c: _void(w, a, c, "symptom", c["symptom"]),
    Permission.VOID_ACKNOWLEDGEMENT: lambda w, a, c: _void(
        w, a, c, "acknowledgement", c["acknowledgement"]
    ),
    Permission.DISCHARGE: lambda w, a, c: discharge.discharge(
        w.uow(),
        a,
        episode_id=c["episode"],
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=True,
    ),
    Permission.RECORD_RATING: lambda w, a, c: feedback.rate_stay(
        w.uow(), a, episode_id=c["episode"], stars=4
    ),
    Permission.REPORT_PROBLEM: lambda w, a, c: feedback.report_problem(
        w.uow(), a, text="wrong dose?", episode_id=c["episode"]
    ),
    Permission.REVIEW_PROBLEMS: lambda w, a, c: feedback.list_problem_reports(w.uow(), a),
    Permission.GOVERNANCE_REPORT: lambda w, a, c: overrides_report.overrides_report(w.uow(), a),
    Permission.READ_AUDIT: lambda w, a, c: queries.list_audit(w.uow(), a),
    Permission.MANAGE_USERS: lambda w, a, c: users.create_user(
        w.uow(),
        a,
        username=f"new-{a.role}",
        full_name="New",
        role="nurse",
        password="long enough password",
    ),
    Permission.MANAGE_WARDS: lambda w, a, c: wards.create_ward(
        w.uow(),
        a,
        name=f"Ward of {a.role}",
        timezone="Europe/London",
        protocol_id="clonazepam-adjunct",
    ),
    Permission.MANAGE_OWN_TOKENS: lambda w, a, c: users.issue_token(
        w.uow(), a, user_id=a.user_id, name="laptop"
    ),
}


def test_every_permission_is_exercised():
    assert set(CALLS) == set(Permission)


def test_the_documented_matrix_is_the_matrix_in_the_code():
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and re.fullmatch(r"[a-z-]+", cells[0]) and cells[1] in ("yes", "no"):
            rows[cells[0]] = {
                role for role, cell in zip(ROLES, cells[1:5], strict=True) if cell == "yes"
            }
    assert rows == {p.value: set(roles) for p, roles in MATRIX.items()}


def audit_count(database) -> int:
    with database.engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM audit_log")).scalar_one()


@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.value)
def test_each_role_is_allowed_or_refused_as_the_matrix_says(database, permission):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    symptom = symptoms.record_symptom(world.uow(), world.nurse, episode_id=episode, code="anxiety")
    ack = acknowledgements.acknowledge_finding(
        world.uow(), world.physician, episode_id=episode, finding="pregnancy", reason="reviewed"
    )
    alcohol.record_alcohol(world.uow(), world.nurse, episode_id=episode, breath_alcohol_mg_l="0")
    observations.record_sedation(
        world.uow(), world.nurse, episode_id=episode, scale="RASS", level="0"
    )
    with database.engine.connect() as c:
        patient = c.execute(text("SELECT patient_id FROM episode")).scalar_one()
    ctx = {"episode": episode, "patient": patient, "symptom": symptom.id, "acknowledgement": ack.id}
    actors = {
        "nurse": world.nurse,
        "physician": world.physician,
        "pharmacist": world.pharmacist,
        "admin": world.admin,
    }

    for role in ROLES:
        actor = actors[role]
        before = audit_count(database)
        if allowed(role, permission):
            try:
                CALLS[permission](world, actor, ctx)
            except PermissionDenied as denied:  # pragma: no cover - the failure message
                pytest.fail(f"{role} was refused {permission.value}: {denied}")
            except ServiceError:
                pass  # allowed past the check; refused for another reason (e.g. a second rating)
        else:
            with pytest.raises(PermissionDenied):
                CALLS[permission](world, actor, ctx)
            assert audit_count(database) == before, f"{role} {permission.value} wrote something"


def test_a_deactivated_user_is_refused_everything(database):
    world = make_world(database)
    episode = world.admit()
    users.deactivate_user(world.uow(), world.admin, user_id=world.nurse.user_id)
    with pytest.raises(PermissionDenied, match="not active"):
        assessments.record_assessment(
            world.uow(), world.nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE
        )


def test_an_actor_claiming_another_role_than_the_stored_one_is_refused(database):
    world = make_world(database)
    episode = world.admit()
    posing = Actor(user_id=world.nurse.user_id, role="physician")
    with pytest.raises(PermissionDenied, match="role has changed"):
        acknowledgements.acknowledge_finding(
            world.uow(), posing, episode_id=episode, finding="pregnancy", reason="x"
        )


def test_the_system_actor_never_writes_an_entry_that_needs_a_person(database):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(PermissionDenied, match="signed-in user"):
        feedback.report_problem(world.uow(), Actor.system(), text="x", episode_id=episode)
