"""Giving and holding doses: the guard, late charting, idempotency, refusal with findings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from owm.service import acknowledgements, dosing, medications, voiding
from owm.service.errors import Conflict, DoseRefused, InputError, PermissionDenied
from owm.service.recommendation import get_recommendation

from .helpers import make_world


def doses(database, episode_id):
    with database.engine.connect() as c:
        return c.execute(
            text(
                "SELECT dose_ug, outcome, idempotency_key FROM administration "
                "WHERE episode_id = :e AND voided_at IS NULL ORDER BY at"
            ),
            {"e": episode_id},
        ).all()


def test_a_dose_the_protocol_allows_is_recorded_once_with_its_recommendation(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    world.advance(minutes=5)
    result = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="k1"
    )
    assert result.administration.dose_mg == Decimal("0.5")
    assert result.administration.at == world.clock()
    assert result.recommendation["action"] == "give"
    assert not result.replayed
    assert doses(database, episode) == [(500, "given", "k1")]
    with database.engine.connect() as c:
        purpose, version = c.execute(
            text("SELECT purpose, protocol_version FROM recommendation_log WHERE id = :i"),
            {"i": result.administration.recommendation_id},
        ).one()
    assert (purpose, version) == ("give", "2")


def test_the_same_idempotency_key_twice_records_one_dose_and_returns_the_same_answer(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    first = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="same"
    )
    world.advance(minutes=1)
    again = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="same"
    )
    assert again.replayed
    assert again.administration.id == first.administration.id
    assert again.recommendation == first.recommendation
    assert len(doses(database, episode)) == 1


def test_the_same_key_for_a_different_dose_is_a_conflict(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="k"
    )
    with pytest.raises(Conflict, match="different"):
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.25", idempotency_key="k"
        )


def test_a_second_dose_within_the_minimum_interval_is_refused_with_its_findings(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="a"
    )
    world.advance(minutes=30)
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="b"
        )
    assert refused.value.action == "hold"
    assert "min-interval" in refused.value.reasons
    assert any(f["code"] == "min-interval" for f in refused.value.findings)
    assert len(doses(database, episode)) == 1
    with database.engine.connect() as c:
        assert (
            c.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'administration.refused'")
            ).scalar_one()
            == 1
        )


def test_a_dose_larger_than_recommended_is_refused(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="1", idempotency_key="big"
        )
    assert refused.value.reasons == ("dose-above-recommended",)
    assert doses(database, episode) == []


def test_a_smaller_dose_than_recommended_is_allowed(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.25", idempotency_key="s"
    )
    assert doses(database, episode) == [(250, "given", "s")]


def test_no_assessment_means_no_dose(database):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="x"
        )
    assert "no-assessment" in refused.value.reasons


def test_late_charting_is_checked_against_the_record_as_it_stood_when_given(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    given = world.advance(minutes=10)
    world.advance(minutes=90)  # the COWS is now 1 h 40 min old; charted 90 min late
    result = dosing.give_dose(
        world.uow(),
        world.nurse,
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key="late",
        given_at=given,
    )
    assert result.administration.at == given
    assert result.administration.recorded_at == world.clock()
    assert result.recommendation["at"] == given.isoformat().replace("+00:00", "Z")


def test_charting_exactly_at_the_late_charting_limit_is_allowed_and_a_second_later_is_not(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    given = world.clock()
    world.advance(hours=2, seconds=1)
    with pytest.raises(InputError) as error:
        dosing.give_dose(
            world.uow(),
            world.nurse,
            episode_id=episode,
            dose_mg="0.5",
            idempotency_key="too-late",
            given_at=given,
        )
    assert error.value.field == "given_at"
    assert "2 h" in error.value.allowed
    world.clock.set(given + timedelta(hours=2))
    dosing.give_dose(
        world.uow(),
        world.nurse,
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key="just-in-time",
        given_at=given,
    )
    assert len(doses(database, episode)) == 1


def test_a_dose_in_the_future_is_bad_input(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    with pytest.raises(InputError) as error:
        dosing.give_dose(
            world.uow(),
            world.nurse,
            episode_id=episode,
            dose_mg="0.5",
            idempotency_key="future",
            given_at=world.clock() + timedelta(seconds=1),
        )
    assert error.value.field == "given_at"


def test_a_late_dose_before_one_already_charted_is_refused_by_the_minimum_interval(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    earlier = world.advance(minutes=5)
    world.advance(minutes=60)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="now"
    )
    world.advance(minutes=5)
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(),
            world.nurse,
            episode_id=episode,
            dose_mg="0.5",
            idempotency_key="before",
            given_at=earlier,
        )
    assert refused.value.reasons == ("min-interval",)
    assert len(doses(database, episode)) == 1


def test_a_voided_dose_no_longer_counts(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    first = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="wrong"
    )
    voiding.void_entry(
        world.uow(),
        world.nurse,
        record_type="administration",
        entry_id=first.administration.id,
        reason="charted for the wrong patient",
    )
    world.advance(minutes=10)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="right"
    )
    with database.engine.connect() as c:
        rows = c.execute(
            text("SELECT idempotency_key, void_reason FROM administration ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [("wrong", "charted for the wrong patient"), ("right", None)]


def test_a_refused_outcome_does_not_count_toward_the_interval(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    dosing.give_dose(
        world.uow(),
        world.nurse,
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key="spat",
        outcome="refused",
    )
    world.advance(minutes=10)
    dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="ok"
    )
    assert [r[1] for r in doses(database, episode)] == ["refused", "given"]


def test_methadone_escalates_until_a_physician_acknowledges_it(database):
    world = make_world(database)
    episode = world.admit()
    medications.record_medication(
        world.uow(),
        world.nurse,
        episode_id=episode,
        name="methadone",
        med_class="opioid",
        dose_text="60 mg daily",
    )
    world.ready_for_dose(episode)
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="m1"
        )
    assert refused.value.action == "escalate"
    assert refused.value.reasons == ("opioid-benzodiazepine",)
    with pytest.raises(PermissionDenied):
        acknowledgements.acknowledge_finding(
            world.uow(),
            world.nurse,
            episode_id=episode,
            finding="opioid-benzodiazepine",
            reason="monitored bed",
        )
    world.advance(minutes=1)
    acknowledgements.acknowledge_finding(
        world.uow(),
        world.physician,
        episode_id=episode,
        finding="opioid-benzodiazepine",
        reason="methadone stable; monitored bed",
    )
    world.advance(minutes=1)
    result = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="m2"
    )
    ack = [f for f in result.recommendation["findings"] if f["code"] == "opioid-benzodiazepine"]
    assert ack[0]["acknowledged"] is True


def test_nobody_acknowledges_an_emergency_a_contraindication_or_a_hold(database):
    world = make_world(database)
    episode = world.admit()
    for code in ("overdose-suspected", "alcohol", "min-interval", "made-up"):
        with pytest.raises(InputError) as error:
            acknowledgements.acknowledge_finding(
                world.uow(), world.physician, episode_id=episode, finding=code, reason="because"
            )
        assert error.value.field == "finding"
        assert "opioid-benzodiazepine" in error.value.allowed


def test_an_acknowledgement_lapses_when_the_methadone_dose_changes(database):
    world = make_world(database)
    episode = world.admit()
    methadone = medications.record_medication(
        world.uow(),
        world.nurse,
        episode_id=episode,
        name="methadone",
        med_class="opioid",
    )
    world.ready_for_dose(episode)
    acknowledgements.acknowledge_finding(
        world.uow(),
        world.physician,
        episode_id=episode,
        finding="opioid-benzodiazepine",
        reason="reviewed",
    )
    world.advance(minutes=5)
    medications.change_medication(
        world.uow(), world.nurse, medication_id=methadone.id, dose_text="80 mg daily"
    )
    world.advance(minutes=1)
    with pytest.raises(DoseRefused) as refused:
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="after"
        )
    assert refused.value.reasons == ("opioid-benzodiazepine",)


def test_holding_a_dose_keeps_the_reason_and_the_findings_shown(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    held = dosing.hold_dose(
        world.uow(), world.nurse, episode_id=episode, reason="patient asleep", idempotency_key="h"
    )
    assert held.hold.reason == "patient asleep"
    assert held.recommendation["action"] == "give"
    again = dosing.hold_dose(
        world.uow(), world.nurse, episode_id=episode, reason="patient asleep", idempotency_key="h"
    )
    assert again.hold.id == held.hold.id
    with pytest.raises(InputError):
        dosing.hold_dose(world.uow(), world.nurse, episode_id=episode, reason="  ")


def test_a_pharmacist_reads_the_recommendation_but_cannot_give_or_hold(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    shown = get_recommendation(world.uow(), world.pharmacist, episode_id=episode)
    assert shown.recommendation.action == "give"
    with pytest.raises(PermissionDenied):
        dosing.give_dose(
            world.uow(), world.pharmacist, episode_id=episode, dose_mg="0.5", idempotency_key="p"
        )
    with pytest.raises(PermissionDenied):
        dosing.hold_dose(world.uow(), world.pharmacist, episode_id=episode, reason="no")
    assert doses(database, episode) == []


def test_clonazepam_cannot_be_recorded_around_the_guard(database):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(InputError):
        dosing.record_administration(
            world.uow(), world.nurse, episode_id=episode, drug="clonazepam", dose_mg="0.5"
        )
    other = dosing.record_administration(
        world.uow(),
        world.nurse,
        episode_id=episode,
        drug="loperamide",
        dose_mg="4",
        idempotency_key="lop",
    )
    world.advance(minutes=2)
    again = dosing.record_administration(
        world.uow(),
        world.nurse,
        episode_id=episode,
        drug="loperamide",
        dose_mg="4",
        idempotency_key="lop",
    )
    assert again.replayed and again.id == other.id


def test_a_dose_as_a_binary_float_is_bad_input(database):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(InputError) as error:
        dosing.give_dose(
            world.uow(),
            world.nurse,
            episode_id=episode,
            dose_mg=0.5,
            idempotency_key="f",  # type: ignore[arg-type]
        )
    assert error.value.field == "dose_mg"
