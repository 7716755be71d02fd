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
