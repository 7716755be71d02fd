"""The services behind the documents: handoff, medication record, overrides report.

Run on SQLite and PostgreSQL (the `database` fixture), through the service
functions only, with a fixed clock.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from integration.helpers import make_world
from owm.service.acknowledgements import acknowledge_finding
from owm.service.dosing import give_dose, hold_dose
from owm.service.errors import InputError, PermissionDenied
from owm.service.handoff import handoff_report
from owm.service.medication_record import medication_records
from owm.service.medications import record_medication
from owm.service.overrides_report import overrides_report
from owm.service.recommendation import get_recommendation


def test_handoff_lists_every_open_episode_by_bed_with_its_tasks(database):
    world = make_world(database)
    late = world.admit("H-10", name="Bed Ten", bed="10")
    early = world.admit("H-2", name="Bed Two", bed="2")
    world.ready_for_dose(early)

    report = handoff_report(world.uow(), world.nurse, ward_id=world.ward_id)

    assert [p.name for p in report.patients] == ["Bed Two", "Bed Ten"]
    two, ten = report.patients
    assert two.action == "give" and two.dose_mg == Decimal("0.5")
    assert any(t.kind == "dose" for t in two.tasks)
    # Bed 10 has no COWS and no vital signs: both are due now, and so overdue.
    assert ten.action == "hold"
    due_now = {t.kind for t in ten.tasks if t.overdue}
    assert {"assessment", "observations"} <= due_now
    assert report.overdue_count >= 2
    assert ten.episode_id == late


def test_handoff_logs_each_recommendation_printed_unless_asked_not_to(database):
    world = make_world(database)
    world.admit("H-1")
    handoff_report(world.uow(), world.nurse, ward_id=world.ward_id, record_shown=False)
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM recommendation_log")).scalar_one() == 0
    handoff_report(world.uow(), world.nurse, ward_id=world.ward_id)
    with database.engine.connect() as c:
        purposes = c.execute(text("SELECT purpose FROM recommendation_log")).scalars().all()
    assert purposes == ["handoff"]


def test_handoff_leaves_out_discharged_patients_and_refuses_admins(database):
    from owm.service.discharge import discharge

    world = make_world(database)
    gone = world.admit("H-1", name="Gone Home")
    world.admit("H-2", name="Still Here")
    discharge(
        world.uow(),
        world.nurse,
        episode_id=gone,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    report = handoff_report(world.uow(), world.physician, ward_id=world.ward_id)
    assert [p.name for p in report.patients] == ["Still Here"]
    with pytest.raises(PermissionDenied):
        handoff_report(world.uow(), world.admin, ward_id=world.ward_id)


def test_medication_record_shows_doses_holds_medicines_and_the_next_dose_time(database):
    world = make_world(database)
    episode = world.admit("M-1", name="Mar Patient", bed="3")
    record_medication(
        world.uow(),
        world.nurse,
        episode_id=episode,
        name="loperamide",
        med_class="other",
        dose_text="4 mg then 2 mg per loose stool",
    )
    world.ready_for_dose(episode)
    give_dose(world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="d1")
    world.advance(hours=1)
    hold_dose(world.uow(), world.nurse, episode_id=episode, reason="asleep, easy to rouse")

    (record,) = medication_records(world.uow(), world.pharmacist, episode_id=episode)

    assert record.patient.name == "Mar Patient"
    assert [m.name for m in record.medications] == ["loperamide"]
    assert [(d.drug, d.dose_mg, d.outcome) for d in record.doses] == [
        ("clonazepam", Decimal("0.5"), "given")
    ]
    assert [h.reason for h in record.holds] == ["asleep, easy to rouse"]
    assert [type(line).__name__ for line in record.timeline] == ["DoseLine", "HoldLine"]
    assert record.given_24h_mg == Decimal("0.5")
    assert record.last_dose_at == record.doses[0].at
    # The nurse's hold stands until a new COWS: no next dose time is printed meanwhile.
    assert record.next_dose_not_before is None
    world.advance(minutes=5)
    world.ready_for_dose(episode)
    (record,) = medication_records(world.uow(), world.pharmacist, episode_id=episode)
    assert record.next_dose_not_before is not None
    assert record.next_dose_not_before > record.at
    ward_records = medication_records(world.uow(), world.nurse, ward_id=world.ward_id)
    assert [r.episode.id for r in ward_records] == [episode]


def test_medication_record_needs_exactly_one_of_ward_and_episode(database):
    world = make_world(database)
    with pytest.raises(InputError) as caught:
        medication_records(world.uow(), world.nurse)
    assert caught.value.field == "ward_id"


def test_overrides_report_counts_acknowledgements_per_rule_and_prescriber(database):
    world = make_world(database)
    episode = world.admit("O-1")
    record_medication(
        world.uow(), world.nurse, episode_id=episode, name="methadone", med_class="opioid"
    )
    world.ready_for_dose(episode)
    shown = get_recommendation(world.uow(), world.nurse, episode_id=episode)
    assert shown.recommendation.action == "escalate"
    acknowledge_finding(
        world.uow(),
        world.physician,
        episode_id=episode,
        finding="opioid-benzodiazepine",
        reason="stable methadone dose; monitored bed",
    )

    report = overrides_report(world.uow(), world.admin, days=7)

    rule = next(r for r in report.rules if r.code == "opioid-benzodiazepine")
    assert rule.rule == "interactions.opioid"
    assert (rule.alerted_episodes, rule.acknowledgements, rule.acknowledged_episodes) == (1, 1, 1)
    assert rule.override_percent == 100
    untouched = next(r for r in report.rules if r.code == "course-limit")
    assert untouched.acknowledgements == 0 and untouched.override_percent is None
    (prescriber,) = report.prescribers
    assert prescriber.role == "physician"
    assert prescriber.by_code == (("opioid-benzodiazepine", 1),)
    assert report.total_acknowledgements == 1


def test_overrides_report_counts_a_hold_when_the_protocol_allowed_a_dose(database):
    world = make_world(database)
    episode = world.admit("O-2")
    world.ready_for_dose(episode)
    hold_dose(world.uow(), world.nurse, episode_id=episode, reason="patient prefers to wait")
    report = overrides_report(world.uow(), world.physician)
    (person,) = report.holds_when_allowed
    assert person.role == "nurse" and person.count == 1


@pytest.mark.parametrize("days", [0, 3651, "7", True])
def test_overrides_report_refuses_a_period_outside_1_to_3650_days(database, days):
    world = make_world(database)
    with pytest.raises(InputError) as caught:
        overrides_report(world.uow(), world.admin, days=days)
    assert caught.value.field == "days"


def test_overrides_report_is_not_for_nurses(database):
    world = make_world(database)
    with pytest.raises(PermissionDenied):
        overrides_report(world.uow(), world.nurse)


def test_problem_reports_for_review_name_the_reporter(database):
    from owm.service.feedback import report_problem
    from owm.service.problem_review import problems_for_review

    world = make_world(database)
    episode = world.admit("R-1")
    report_problem(world.uow(), world.nurse, text="Wrong band", episode_id=episode)
    (listed,) = problems_for_review(world.uow(), world.admin)
    assert listed.text == "Wrong band" and listed.reporter_role == "nurse"
    assert listed.reported_by == "A Nurse"
    assert listed.recommendation is None and listed.episode_id == episode
