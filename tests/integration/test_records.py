"""Charting as nurses chart: scores (or unable to assess), observations, symptoms, side
effects, alcohol and medicines; voided entries and entries after the decision time
never reach a decision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from owm.service import alcohol, assessments, medications, observations, symptoms, voiding
from owm.service.errors import Conflict, InputError, NotFound
from owm.service.recommendation import decide, get_recommendation
from owm.store.models import Episode

from .helpers import COWS_MODERATE, COWS_NONE, GOOD_VITALS, make_world


def state_at(world, episode_id, moment):
    with world.uow().read() as uow:
        return decide(uow.session, uow.session.get(Episode, episode_id), moment)


def test_a_cows_is_stored_with_every_item_its_total_and_band(database):
    world = make_world(database)
    episode = world.admit()
    result = assessments.record_assessment(
        world.uow(), world.nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE
    )
    assert (result.total, result.band) == (15, "moderate")
    with database.engine.connect() as c:
        total, reason = c.execute(text("SELECT total, unable_reason FROM assessment")).one()
    assert (total, reason) == (15, None)


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({**COWS_MODERATE, "restlessness": 2}, "items.restlessness"),
        ({k: v for k, v in COWS_MODERATE.items() if k != "tremor"}, "items.tremor"),
        ({**COWS_MODERATE, "hiccups": 1}, "items.hiccups"),
    ],
)
def test_a_bad_cows_item_names_the_item_and_stores_nothing(database, items, field):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(InputError) as error:
        assessments.record_assessment(
            world.uow(), world.nurse, episode_id=episode, instrument="COWS", items=items
        )
    assert error.value.field == field
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM assessment")).scalar_one() == 0


def test_unable_to_assess_is_stored_with_its_reason_never_as_zero(database):
    world = make_world(database)
    episode = world.admit()
    result = assessments.record_assessment(
        world.uow(),
        world.nurse,
        episode_id=episode,
        instrument="COWS",
        unable_reason="patient asleep, not woken",
    )
    assert result.items is None and result.total is None
    with database.engine.connect() as c:
        row = c.execute(text("SELECT items, total, unable_reason FROM assessment")).one()
    assert (row.items, row.total, row.unable_reason) == (None, None, "patient asleep, not woken")
    decision = state_at(world, episode, world.clock())
    assert decision.state_document["assessments"] == []
    assert "no-assessment" in decision.recommendation.codes
    with pytest.raises(InputError):
        assessments.record_assessment(
            world.uow(),
            world.nurse,
            episode_id=episode,
            instrument="COWS",
            items=COWS_MODERATE,
            unable_reason="both",
        )


def test_an_entry_in_the_future_or_before_admission_is_bad_input(database):
    world = make_world(database)
    episode = world.admit()
    for moment in (world.clock() + timedelta(minutes=1), world.clock() - timedelta(minutes=1)):
        with pytest.raises(InputError) as error:
            observations.record_sedation(
                world.uow(), world.nurse, episode_id=episode, scale="POSS", level="1", at=moment
            )
        assert error.value.field == "at"


def test_impossible_vital_signs_are_refused_not_clamped(database):
    world = make_world(database)
    episode = world.admit()
    with pytest.raises(InputError) as error:
        observations.record_vitals(world.uow(), world.nurse, episode_id=episode, pulse=400)
    assert error.value.field == "pulse"
    assert error.value.value == 400
    with pytest.raises(InputError):
        observations.record_vitals(world.uow(), world.nurse, episode_id=episode)
    with pytest.raises(InputError) as error:
        observations.record_vitals(world.uow(), world.nurse, episode_id=episode, temperature_c=37.2)
    assert error.value.field == "temperature_c"


def test_vital_signs_keep_their_exact_decimals(database):
    world = make_world(database)
    episode = world.admit()
    result = observations.record_vitals(world.uow(), world.nurse, episode_id=episode, **GOOD_VITALS)
    assert result.temperature_c == Decimal("37.0")
    decision = state_at(world, episode, world.clock())
    assert decision.state_document["vitals"][0]["temperature_c"] == "37"
    assert decision.recommendation.news2 == {"score": 0, "response": "low"}


def test_a_rass_level_with_a_plus_sign_is_stored_without_it(database):
    world = make_world(database)
    episode = world.admit()
    result = observations.record_sedation(
        world.uow(), world.nurse, episode_id=episode, scale="RASS", level="+1"
    )
    assert result.level == "1"
    with pytest.raises(InputError) as error:
        observations.record_sedation(
            world.uow(), world.nurse, episode_id=episode, scale="POSS", level="5"
        )
    assert error.value.field == "level"


def test_symptoms_and_side_effects_use_the_state_format_codes(database):
    world = make_world(database)
    episode = world.admit()
    symptoms.record_symptom(world.uow(), world.nurse, episode_id=episode, code="insomnia")
    symptoms.record_side_effect(world.uow(), world.nurse, episode_id=episode, code="diplopia")
    with pytest.raises(InputError):
        symptoms.record_symptom(world.uow(), world.nurse, episode_id=episode, code="hiccups")
    with pytest.raises(InputError):
        symptoms.record_side_effect(world.uow(), world.nurse, episode_id=episode, code="rash")
    decision = state_at(world, episode, world.clock())
    assert [s["code"] for s in decision.state_document["symptoms"]] == ["insomnia"]
    assert "side-effect" in decision.recommendation.codes


def test_alcohol_contraindicates_and_a_later_breath_reading_of_zero_clears_it(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    alcohol.record_alcohol(world.uow(), world.nurse, episode_id=episode, breath_alcohol_mg_l="0.15")
    assert get_recommendation(
        world.uow(), world.nurse, episode_id=episode
    ).recommendation.action == ("contraindicated")
    world.advance(minutes=30)
    alcohol.record_alcohol(world.uow(), world.nurse, episode_id=episode, breath_alcohol_mg_l="0")
    assert get_recommendation(
        world.uow(), world.nurse, episode_id=episode
    ).recommendation.action == ("give")
    with pytest.raises(InputError):
        alcohol.record_alcohol(
            world.uow(),
            world.nurse,
            episode_id=episode,
            last_drink_at=world.clock() + timedelta(hours=1),
        )


def test_a_medicine_started_changed_and_stopped_is_rebuilt_as_it_stood_at_each_time(database):
    world = make_world(database)
    episode = world.admit()
    started = world.clock()
    first = medications.record_medication(
        world.uow(),
        world.nurse,
        episode_id=episode,
        name="methadone",
        med_class="opioid",
        rxnorm="6813",
        dose_text="60 mg",
    )
    changed = world.advance(hours=2)
    second = medications.change_medication(
        world.uow(), world.nurse, medication_id=first.id, dose_text="80 mg"
    )
    stopped = world.advance(hours=2)
    medications.stop_medication(world.uow(), world.nurse, medication_id=second.id)
    world.advance(minutes=1)

    def meds(moment):
        return [
            (m["active"], m["changed_at"])
            for m in state_at(world, episode, moment).state_document["medications"]
        ]

    iso = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    assert meds(started + timedelta(hours=1)) == [(True, iso(started))]
    assert meds(changed + timedelta(hours=1)) == [(False, iso(started)), (True, iso(changed))]
    assert meds(stopped) == [(False, iso(started)), (False, iso(changed))]
    assert second.replaces_id == first.id
    with pytest.raises(Conflict):
        medications.stop_medication(world.uow(), world.nurse, medication_id=second.id)
    with pytest.raises(InputError):
        medications.record_medication(
            world.uow(), world.nurse, episode_id=episode, name="x", med_class="vitamin"
        )


def test_entries_after_the_decision_time_are_left_out(database):
    world = make_world(database)
    episode = world.admit()
    before = world.clock()
    world.advance(minutes=10)
    assessments.record_assessment(
        world.uow(), world.nurse, episode_id=episode, instrument="COWS", items=COWS_NONE
    )
    assert state_at(world, episode, before).state_document["assessments"] == []
    assert len(state_at(world, episode, world.clock()).state_document["assessments"]) == 1


def test_a_voided_entry_stays_but_no_decision_uses_it(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    sedation = observations.record_sedation(
        world.uow(), world.nurse, episode_id=episode, scale="POSS", level="4"
    )
    assert get_recommendation(
        world.uow(), world.nurse, episode_id=episode
    ).recommendation.action == ("emergency")
    voided = voiding.void_entry(
        world.uow(),
        world.nurse,
        record_type="sedation",
        entry_id=sedation.id,
        reason="charted on the wrong patient",
    )
    assert voided.voided_by == world.nurse.user_id
    assert get_recommendation(
        world.uow(), world.nurse, episode_id=episode
    ).recommendation.action == ("give")
    with database.engine.connect() as c:
        level, reason = c.execute(
            text("SELECT level, void_reason FROM sedation WHERE id = :i"), {"i": sedation.id}
        ).one()
        actions = list(
            c.execute(text("SELECT action FROM audit_log WHERE record_type = 'sedation'")).scalars()
        )
    assert (level, reason) == ("4", "charted on the wrong patient")
    assert actions[-1] == "sedation.void"
    with pytest.raises(Conflict):
        voiding.void_entry(
            world.uow(), world.nurse, record_type="sedation", entry_id=sedation.id, reason="again"
        )
    with pytest.raises(InputError):
        voiding.void_entry(world.uow(), world.nurse, record_type="patient", entry_id=1, reason="x")
    with pytest.raises(NotFound):
        voiding.void_entry(
            world.uow(), world.nurse, record_type="sedation", entry_id=999, reason="x"
        )
    with pytest.raises(InputError):
        voiding.void_entry(world.uow(), world.nurse, record_type="symptom", entry_id=1, reason=" ")


def test_the_same_form_sent_twice_records_once(database):
    world = make_world(database)
    episode = world.admit()
    first = assessments.record_assessment(
        world.uow(),
        world.nurse,
        episode_id=episode,
        instrument="COWS",
        items=COWS_MODERATE,
        idempotency_key="form-1",
    )
    world.advance(seconds=3)
    again = assessments.record_assessment(
        world.uow(),
        world.nurse,
        episode_id=episode,
        instrument="COWS",
        items=COWS_MODERATE,
        idempotency_key="form-1",
    )
    assert again.replayed and again.id == first.id
    with pytest.raises(Conflict):
        assessments.record_assessment(
            world.uow(),
            world.nurse,
            episode_id=episode,
            instrument="COWS",
            items=COWS_NONE,
            idempotency_key="form-1",
        )


def test_recording_on_a_discharged_or_unknown_episode_is_refused(database):
    world = make_world(database)
    with pytest.raises(NotFound):
        symptoms.record_symptom(world.uow(), world.nurse, episode_id=4242, code="anxiety")


def test_the_recommendation_shown_is_logged_with_the_protocol_version(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    shown = get_recommendation(world.uow(), world.nurse, episode_id=episode)
    assert shown.document["protocol"] == {"id": "clonazepam-adjunct", "version": "2"}
    with database.engine.connect() as c:
        row = c.execute(
            text(
                "SELECT purpose, protocol_id, protocol_version, action, dose_ug, shown_to "
                "FROM recommendation_log WHERE id = :i"
            ),
            {"i": shown.log_id},
        ).one()
    assert tuple(row) == ("shown", "clonazepam-adjunct", "2", "give", 500, world.nurse.user_id)
    unlogged = get_recommendation(world.uow(), world.nurse, episode_id=episode, record_shown=False)
    assert unlogged.log_id is None


def test_a_decision_logged_under_version_1_still_says_version_1(database):
    """The protocol's version goes up (revision 2); what was shown under version 1 is
    never re-labelled: each logged decision keeps the version that made it."""
    from owm.clinical import default_protocol
    from owm.service import protocols
    from owm.service.queries import list_recommendations

    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    old = default_protocol().model_copy(update={"version": "1"})
    protocols.register(old)
    try:
        first = get_recommendation(world.uow(), world.nurse, episode_id=episode)
    finally:
        protocols.register(default_protocol())
    second = get_recommendation(world.uow(), world.nurse, episode_id=episode)
    logged = {
        r.id: (r.protocol_version, r.recommendation["protocol"]["version"])
        for r in list_recommendations(world.uow(), world.nurse, episode_id=episode)
    }
    assert logged[first.log_id] == ("1", "1")
    assert logged[second.log_id] == ("2", "2")
