"""Admission: patient, episode and the first-line offer, on every database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from owm.service import admission
from owm.service.errors import Conflict, InputError, PermissionDenied

from .helpers import make_world


def test_admitting_a_patient_opens_an_episode_with_the_first_line_offer(database):
    world = make_world(database)
    result = admission.admit(
        world.uow(),
        world.nurse,
        ward_id=world.ward_id,
        name="Sam Example",
        mrn="A100",
        age_years=40,
        first_line_offered=True,
        first_line_choice="buprenorphine",
        conditions=["epilepsy"],
    )
    assert result.episode.first_line_choice == "buprenorphine"
    assert result.episode.admitted_at == world.clock()
    with database.engine.connect() as c:
        row = c.execute(
            text(
                "SELECT first_line_offered, first_line_choice, discharged_at FROM episode WHERE id = :id"
            ),
            {"id": result.episode.id},
        ).one()
    assert tuple(row) == (True, "buprenorphine", None)


def test_a_second_open_episode_for_the_same_patient_is_refused(database):
    world = make_world(database)
    world.admit("A1")
    with pytest.raises(Conflict, match="open episode"):
        world.admit("A1")


def test_not_offering_first_line_care_needs_a_reason(database):
    world = make_world(database)
    with pytest.raises(InputError) as error:
        world.admit("A2", first_line_offered=False, first_line_choice="undecided")
    assert error.value.field == "first_line_note"


def test_an_unknown_condition_is_bad_input_naming_the_field(database):
    world = make_world(database)
    with pytest.raises(InputError) as error:
        world.admit("A3", conditions=["gout"])
    assert error.value.field.startswith("conditions")
    assert error.value.value == "gout"
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM patient")).scalar_one() == 0


def test_a_pharmacist_cannot_admit(database):
    world = make_world(database)
    with pytest.raises(PermissionDenied):
        admission.admit(
            world.uow(),
            world.pharmacist,
            ward_id=world.ward_id,
            name="X",
            mrn="A4",
            first_line_offered=True,
            first_line_choice="declined",
        )


def test_the_age_is_worked_out_from_the_date_of_birth_on_the_ward_date(database):
    from datetime import date

    from owm.service.recommendation import decide
    from owm.store.models import Episode

    world = make_world(database)
    # 2026-11-25 08:00 UTC is 08:00 in London: 65 today, 64 yesterday.
    episode = world.admit("D1", age_years=None, date_of_birth=date(1961, 11, 25))
    with world.uow().read() as uow:
        row = uow.session.get(Episode, episode)
        today = decide(uow.session, row, world.clock()).state_document["patient"]["age_years"]
    assert today == 65
    with database.engine.connect() as c:
        stored = c.execute(text("SELECT age_years, date_of_birth FROM patient")).one()
    assert stored.age_years is None


def test_changing_a_patients_details_is_audited_with_before_and_after(database):
    import json
    from decimal import Decimal

    world = make_world(database)
    world.admit("U1")
    with database.engine.connect() as c:
        patient = c.execute(text("SELECT id FROM patient")).scalar_one()
    updated = admission.update_patient(
        world.uow(),
        world.physician,
        patient_id=patient,
        pregnant=True,
        weight_kg="64.5",
        conditions=["mild-liver-disease"],
    )
    assert (updated.pregnant, updated.weight_kg, updated.conditions) == (
        True,
        Decimal("64.5"),
        ["mild-liver-disease"],
    )
    with database.engine.connect() as c:
        before, after = c.execute(
            text("SELECT before, after FROM audit_log WHERE action = 'patient.update'")
        ).one()
    assert json.loads(before)["pregnant"] is False and json.loads(after)["pregnant"] is True
    with pytest.raises(InputError) as error:
        admission.update_patient(world.uow(), world.physician, patient_id=patient, weight_kg="900")
    assert error.value.field == "weight_kg"


def test_a_returning_patient_is_readmitted_under_the_same_record(database):
    from owm.service import discharge

    world = make_world(database)
    first = world.admit("R1")
    world.advance(hours=2)
    discharge.discharge(
        world.uow(),
        world.nurse,
        episode_id=first,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    world.advance(days=30)
    second = world.admit("R1", bed="9")
    with database.engine.connect() as c:
        rows = c.execute(text("SELECT patient_id FROM episode ORDER BY id")).scalars().all()
        bed = c.execute(text("SELECT bed FROM patient")).scalar_one()
    assert second != first and len(set(rows)) == 1 and bed == "9"
