"""The patient's details kept with history, on every database: a decision about a past
moment (a dose charted late) reads the weight, pregnancy and conditions as they stood
then, not today's; changes count from their effective time, which is checked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import select, text

from owm.service import admission, dosing
from owm.service.errors import DoseRefused, InputError
from owm.service.patient_details import details_at, details_history
from owm.service.state_builder import build_state
from owm.store.migrate import alembic_config, migrate
from owm.store.models import Episode, Patient

from .helpers import make_world


def _patient_id(world, episode_id: int) -> int:  # type: ignore[no-untyped-def]
    with world.uow().read() as uow:
        episode = uow.session.get(Episode, episode_id)
        assert episode is not None
        return episode.patient_id


def _state_patient(world, episode_id: int, at):  # type: ignore[no-untyped-def]
    with world.uow().read() as uow:
        episode = uow.session.get(Episode, episode_id)
        assert episode is not None
        return build_state(uow.session, episode, at)["patient"]


def _versions(database) -> int:  # type: ignore[no-untyped-def]
    with database.engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM patient_details")).scalar_one())


def test_a_late_charted_dose_is_checked_against_the_details_as_they_stood_when_given(database):
    world = make_world(database)
    episode = world.admit()
    patient = _patient_id(world, episode)
    world.ready_for_dose(episode)
    given = world.advance(minutes=5)
    world.advance(minutes=25)
    # Half an hour later the patient is found to have significant liver disease (a
    # contraindication), recorded now: it counts from now, not from before the dose.
    admission.update_patient(
        world.uow(), world.physician, patient_id=patient, conditions=["significant-liver-disease"]
    )
    world.advance(minutes=30)

    result = dosing.give_dose(
        world.uow(),
        world.nurse,
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key="charted-late",
        given_at=given,
    )

    assert result.administration.at == given
    assert _state_patient(world, episode, given)["conditions"] == []
    assert _state_patient(world, episode, world.clock())["conditions"] == [
        "significant-liver-disease"
    ]


def test_a_change_that_took_effect_before_the_dose_refuses_it_and_one_after_does_not(database):
    world = make_world(database)
    episode = world.admit()
    patient = _patient_id(world, episode)
    world.ready_for_dose(episode)
    start = world.clock()
    world.advance(minutes=40)
    # Recorded now, but the liver disease was known from 20 minutes after the scores.
    admission.update_patient(
        world.uow(),
        world.physician,
        patient_id=patient,
        conditions=["significant-liver-disease"],
        effective_from=start + timedelta(minutes=20),
    )

    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(),
            world.nurse,
            episode_id=episode,
            dose_mg="0.5",
            idempotency_key="after",
            given_at=start + timedelta(minutes=20),
        )
    assert refused.value.reasons == ("liver-disease",)
    given = dosing.give_dose(
        world.uow(),
        world.nurse,
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key="before",
        given_at=start + timedelta(minutes=20) - timedelta(seconds=1),
    )
    assert given.administration.dose_mg == Decimal("0.5")


def test_weight_and_pregnancy_read_at_the_decision_time(database):
    world = make_world(database)
    admitted = world.clock()
    episode = world.admit(weight_kg="62", pregnant=None)
    patient = _patient_id(world, episode)
    world.advance(hours=1)
    admission.update_patient(
        world.uow(), world.nurse, patient_id=patient, weight_kg="58.5", pregnant=True
    )
    changed = world.clock()

    before = _state_patient(world, episode, changed - timedelta(seconds=1))
    after = _state_patient(world, episode, changed)
    assert (before["weight_kg"], before.get("pregnant")) == ("62", None)
    assert (after["weight_kg"], after["pregnant"]) == ("58.5", True)
    # Before the first version (a moment before admission): the details as first recorded.
    assert _state_patient(world, episode, admitted - timedelta(hours=1))["weight_kg"] == "62"

    history = details_history(world.uow(), world.pharmacist, patient_id=patient)
    assert [(d.weight_kg, d.effective_from) for d in history] == [
        (Decimal("58.5"), changed),
        (Decimal("62"), admitted),
    ]


def test_admission_writes_a_version_from_the_admission_time_and_readmission_only_when_changed(
    database,
):
    from owm.service.discharge import discharge

    world = make_world(database)
    admitted = world.clock() - timedelta(hours=1)
    episode = world.admit(admitted_at=admitted)
    patient = _patient_id(world, episode)
    assert _versions(database) == 1
    (first,) = details_history(world.uow(), world.nurse, patient_id=patient)
    assert first.effective_from == admitted

    world.advance(days=2)
    discharge(
        world.uow(),
        world.nurse,
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    world.advance(days=10)
    world.admit()  # the same details again: no new version
    assert _versions(database) == 1
    world.advance(days=1)
    with world.uow().read() as uow:
        open_episode = uow.session.execute(
            select(Episode.id).where(Episode.patient_id == patient, Episode.discharged_at.is_(None))
        ).scalar_one()
    discharge(
        world.uow(),
        world.nurse,
        episode_id=open_episode,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    world.advance(days=30)
    world.admit(weight_kg="70")
    assert _versions(database) == 2
    with database.engine.connect() as c:
        actions = c.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'patient_details.record'")
        ).scalar_one()
    assert actions == 2


@pytest.mark.parametrize(
    ("shift", "allowed"),
    [
        (timedelta(seconds=1), "not in the future"),
        (-timedelta(hours=2, seconds=1), "no more than 2 h before now"),
        (-timedelta(minutes=90), "at or after the details recorded"),
    ],
    ids=["future", "older-than-late-charting", "before-the-last-version"],
)
def test_an_effective_time_outside_what_is_allowed_is_refused_and_stores_nothing(
    database, shift, allowed
):
    world = make_world(database)
    episode = world.admit()
    patient = _patient_id(world, episode)
    world.advance(hours=1)  # admitted an hour ago: that version is the latest
    with pytest.raises(InputError) as refused:
        admission.update_patient(
            world.uow(),
            world.nurse,
            patient_id=patient,
            weight_kg="70",
            effective_from=world.clock() + shift,
        )
    assert refused.value.field == "effective_from"
    assert allowed in refused.value.allowed
    assert _versions(database) == 1
    with database.engine.connect() as c:
        assert c.execute(text("SELECT weight_kg FROM patient")).scalar_one() == Decimal("62")


def test_details_changed_without_a_version_count_from_when_they_were_changed(database):
    """A writer that changes only the patient row (no version) is still read right: the
    row counts from its `updated_at`; a patient with no version at all is the row."""
    world = make_world(database)
    episode = world.admit()
    patient_id = _patient_id(world, episode)
    world.advance(hours=1)
    changed = world.clock()
    with world.uow() as uow:
        row = uow.session.get(Patient, patient_id)
        assert row is not None
        row.weight_kg = Decimal("80")
        row.updated_at = changed
        uow.commit()
    assert _state_patient(world, episode, changed - timedelta(seconds=1))["weight_kg"] == "62"
    assert _state_patient(world, episode, changed)["weight_kg"] == "80"

    with world.uow() as uow:
        uow.session.execute(text("DELETE FROM patient_details"))
        uow.commit()
    with world.uow().read() as uow:
        row = uow.session.get(Patient, patient_id)
        assert row is not None
        (details,) = details_at(uow.session, [row], changed - timedelta(days=1)).values()
    assert details.effective_from is None and details.weight_kg == Decimal("80")


def test_the_migration_keeps_the_details_of_patients_already_stored(database):
    world = make_world(database)
    admitted = world.clock() - timedelta(hours=3)
    episode = world.admit(admitted_at=admitted, weight_kg="64.5", conditions=["epilepsy"])
    patient = _patient_id(world, episode)

    command.downgrade(alembic_config(database.url), "b7ac7e7a11c7")
    migrate(database.url)

    (kept,) = details_history(world.uow(), world.nurse, patient_id=patient)
    assert kept.effective_from == admitted
    assert kept.weight_kg == Decimal("64.5") and kept.conditions == ("epilepsy",)
    assert kept.entered_by == world.nurse.user_id


def test_a_change_through_owm_keeps_what_the_patient_row_alone_held_before(database):
    """Details written on the patient row alone (no version: an older record, another
    writer) are kept as versions before owm changes them, so earlier moments still read
    them: with no version at all from the first admission, else from the row's change."""
    world = make_world(database)
    admitted = world.clock()
    episode = world.admit(weight_kg="62")
    patient_id = _patient_id(world, episode)
    with world.uow() as uow:
        uow.session.execute(text("DELETE FROM patient_details"))
        uow.commit()
    world.advance(hours=1)
    written_alone = world.clock()
    with world.uow() as uow:
        row = uow.session.get(Patient, patient_id)
        assert row is not None
        row.weight_kg = Decimal("66")
        row.updated_at = written_alone
        uow.commit()
    world.advance(hours=1)
    # A patient row with no version: it is the baseline, from the first admission.
    admission.update_patient(world.uow(), world.nurse, patient_id=patient_id, weight_kg="70")
    changed = world.clock()

    history = details_history(world.uow(), world.nurse, patient_id=patient_id)
    assert [(d.weight_kg, d.effective_from) for d in history] == [
        (Decimal("70"), changed),
        (Decimal("66"), admitted),
    ]
    assert _state_patient(world, episode, changed - timedelta(seconds=1))["weight_kg"] == "66"

    world.advance(hours=1)
    alone_again = world.clock()
    with world.uow() as uow:
        row = uow.session.get(Patient, patient_id)
        assert row is not None
        row.weight_kg = Decimal("72")
        row.updated_at = alone_again
        uow.commit()
    world.advance(hours=1)
    admission.update_patient(world.uow(), world.nurse, patient_id=patient_id, weight_kg="75")

    weights = [
        (d.weight_kg, d.effective_from)
        for d in details_history(world.uow(), world.nurse, patient_id=patient_id)
    ]
    assert weights[:2] == [(Decimal("75"), world.clock()), (Decimal("72"), alone_again)]
    assert _state_patient(world, episode, alone_again)["weight_kg"] == "72"
    assert _state_patient(world, episode, changed)["weight_kg"] == "70"
