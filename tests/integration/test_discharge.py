"""Discharge with referrals and the taper plan; the patient's rating; problem reports;
the overrides report; reading the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from owm.service import acknowledgements, discharge, dosing, feedback, queries
from owm.service.errors import Conflict, InputError
from owm.service.overrides_report import overrides_report
from owm.service.recommendation import get_recommendation

from .helpers import COWS_MODERATE, make_world


def test_discharge_closes_the_episode_with_the_referral_choices(database):
    world = make_world(database)
    episode = world.admit()
    world.advance(hours=20)
    result = discharge.discharge(
        world.uow(),
        world.physician,
        episode_id=episode,
        moud_referral="buprenorphine",
        naloxone_supplied=True,
        psychotherapy_referral=True,
        psychotherapy_service="CBT group",
    )
    assert result.taper_plan is None
    with database.engine.connect() as c:
        discharged = c.execute(
            text("SELECT discharged_at FROM episode WHERE id = :e"), {"e": episode}
        ).scalar_one()
    assert discharged is not None
    with pytest.raises(Conflict, match="discharged"):
        get_recommendation(world.uow(), world.nurse, episode_id=episode)
    with pytest.raises(Conflict):
        discharge.discharge(
            world.uow(),
            world.physician,
            episode_id=episode,
            moud_referral="declined",
            naloxone_supplied=False,
            psychotherapy_referral=False,
        )
    with pytest.raises(InputError):
        discharge.discharge(
            world.uow(),
            world.physician,
            episode_id=episode,
            moud_referral="heroin",
            naloxone_supplied=False,
            psychotherapy_referral=False,
        )
    world.advance(days=1)
    again = world.admit()
    assert again != episode


def test_a_course_longer_than_the_taper_threshold_is_discharged_with_a_taper_plan(database):
    world = make_world(database)
    episode = world.admit()
    baseline = {**COWS_MODERATE, "sweating": 2, "yawning": 2, "tremor": 2}  # 18, then 15: improving
    for day in range(9):
        world.ready_for_dose(episode, baseline if day == 0 else COWS_MODERATE)
        if day >= 4:
            acknowledgements.acknowledge_finding(
                world.uow(),
                world.physician,
                episode_id=episode,
                finding="course-limit",
                reason="extended course reviewed today",
            )
        dosing.give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key=f"d{day}"
        )
        world.advance(days=1)
    result = discharge.discharge(
        world.uow(),
        world.physician,
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=True,
    )
    assert result.taper_plan, "taper-needed should have produced a plan"


def test_the_patient_rates_the_stay_once(database):
    world = make_world(database)
    episode = world.admit()
    rating = feedback.rate_stay(
        world.uow(), world.nurse, episode_id=episode, stars=5, comment="kind staff"
    )
    assert (
        feedback.rate_stay(
            world.uow(), world.nurse, episode_id=episode, stars=5, comment="kind staff"
        )
        == rating
    )
    with pytest.raises(Conflict):
        feedback.rate_stay(world.uow(), world.nurse, episode_id=episode, stars=2)
    for stars in (0, 6, True, "5"):
        with pytest.raises(InputError):
            feedback.rate_stay(world.uow(), world.nurse, episode_id=episode, stars=stars)  # type: ignore[arg-type]


def test_a_problem_with_a_recommendation_is_reported_reviewed_and_closed(database):
    world = make_world(database)
    episode = world.admit()
    world.ready_for_dose(episode)
    shown = get_recommendation(world.uow(), world.nurse, episode_id=episode)
    report = feedback.report_problem(
        world.uow(),
        world.nurse,
        text="dose seems high for her weight",
        recommendation_id=shown.log_id,
    )
    assert report.episode_id == episode
    assert [
        r.id for r in feedback.list_problem_reports(world.uow(), world.admin, status="open")
    ] == [report.id]
    closed = feedback.close_problem_report(
        world.uow(),
        world.admin,
        report_id=report.id,
        resolution="reviewed with pharmacy: dose correct",
    )
    assert closed.status == "closed"
    assert feedback.list_problem_reports(world.uow(), world.admin, status="open") == []
    with pytest.raises(Conflict):
        feedback.close_problem_report(
            world.uow(), world.admin, report_id=report.id, resolution="again"
        )


def test_the_overrides_report_counts_acknowledgements_per_rule_and_physician(database):
    world = make_world(database)
    for n in range(3):
        episode = world.admit(f"O{n}")
        acknowledgements.acknowledge_finding(
            world.uow(),
            world.physician,
            episode_id=episode,
            finding="opioid-benzodiazepine",
            reason="ok",
        )
    acknowledgements.acknowledge_finding(
        world.uow(), world.physician, episode_id=episode, finding="older-adult", reason="ok"
    )
    report = overrides_report(world.uow(), world.pharmacist)
    counted = {r.code: (r.acknowledgements, r.acknowledged_episodes) for r in report.rules}
    assert counted["opioid-benzodiazepine"] == (3, 3)
    assert counted["older-adult"] == (1, 1)
    (physician,) = report.prescribers
    assert physician.user_id == world.physician.user_id
    assert physician.by_code == (("older-adult", 1), ("opioid-benzodiazepine", 3))


def test_the_episode_record_lists_everything_with_voided_entries_marked(database):
    world = make_world(database)
    episode = world.admit(bed="3")
    world.ready_for_dose(episode)
    given = dosing.give_dose(
        world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="a"
    )
    from owm.service import voiding

    voiding.void_entry(
        world.uow(),
        world.nurse,
        record_type="administration",
        entry_id=given.administration.id,
        reason="wrong patient",
    )
    record = queries.episode_record(world.uow(), world.pharmacist, episode_id=episode)
    assert record.administrations[0].void_reason == "wrong patient"
    assert record.assessments[0].band == "moderate"
    assert len(record.vitals) == len(record.sedation) == 1
    board = queries.list_patients(world.uow(), world.nurse, ward_id=world.ward_id)
    assert [(p.patient.bed, p.episode.id if p.episode else None) for p in board] == [("3", episode)]
    logs = queries.list_recommendations(world.uow(), world.nurse, episode_id=episode)
    assert [entry.purpose for entry in logs] == ["give"]
    audit = queries.list_audit(world.uow(), world.admin, record_type="administration")
    assert [a.action for a in audit] == ["administration.give", "administration.void"]


def test_list_patients_shows_discharged_patients_only_when_asked(database):
    world = make_world(database)
    episode = world.admit()
    world.advance(hours=1)
    discharge.discharge(
        world.uow(),
        world.nurse,
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=False,
        psychotherapy_referral=False,
        at=world.clock() - timedelta(minutes=5),
    )
    assert queries.list_patients(world.uow(), world.nurse, ward_id=world.ward_id) == []
    everyone = queries.list_patients(
        world.uow(), world.nurse, ward_id=world.ward_id, include_discharged=True
    )
    assert [(p.patient.mrn, p.episode) for p in everyone] == [("MRN-1", None)]
