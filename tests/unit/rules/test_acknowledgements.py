"""Acknowledgements (clinical spec sections 7 and 8).

A physician's acknowledgement of an escalation counts from its `at` on and turns
the finding into a warning that no longer blocks. It is ignored when made before
the episode started, and covers a finding only if that finding was raised at the
acknowledgement's own moment. It lapses after 24 h (older-adult, pregnancy and
benzodiazepine-misuse last the episode). An acknowledgement of
opioid-benzodiazepine or cns-depressant lapses when an active medicine of that
kind is started or changed after it (`changed_at`), and one of cns-depressant
also lapses when another benzodiazepine is given after it. One of course-limit
covers only the course day it was made on; one of severe-withdrawal lapses when a
later COWS is higher. Only a physician acknowledges, and only escalations can be
acknowledged: anything else is bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from owm.cli.app import app
from owm.clinical import StateError, default_protocol
from owm.clinical.acknowledgements import is_acknowledged

from .support import (
    ack,
    after,
    ago,
    build,
    context,
    cows,
    decide,
    document,
    dose,
    med,
    poss,
    vitals,
)

METHADONE_ACK_2H = ack("opioid-benzodiazepine", ago(h=2))
PREGABALIN_ACK_2H = ack("cns-depressant", ago(h=2))


@pytest.mark.parametrize(
    ("changes", "code", "stands"),
    [
        # counts from its `at` on
        pytest.param(
            {"medications": [med("methadone", "opioid")], "acknowledgements": [METHADONE_ACK_2H]},
            "opioid-benzodiazepine",
            True,
            id="acknowledged 2 h ago",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid")],
                "acknowledgements": [ack("opioid-benzodiazepine", ago())],
            },
            "opioid-benzodiazepine",
            True,
            id="acknowledged at the decision time",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid")],
                "acknowledgements": [ack("opioid-benzodiazepine", after(m=1))],
            },
            "opioid-benzodiazepine",
            False,
            id="acknowledged 1 min after the decision time",
        ),
        pytest.param(
            {"medications": [med("methadone", "opioid")], "acknowledgements": []},
            "opioid-benzodiazepine",
            False,
            id="not acknowledged",
        ),
        # lapses on a later change of an active medicine of that kind
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=1))],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            False,
            id="methadone changed after the acknowledgement",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=3))],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            True,
            id="methadone changed before the acknowledgement",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=2))],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            True,
            id="methadone changed at the moment of the acknowledgement",
        ),
        pytest.param(
            {
                "medications": [
                    med("methadone", "opioid", changed_at=ago(d=2)),
                    med("buprenorphine", "opioid", changed_at=ago(h=1)),
                ],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            False,
            id="a second opioid started after the acknowledgement",
        ),
        pytest.param(
            {
                "medications": [
                    med("methadone", "opioid"),
                    med("oxycodone", "opioid", changed_at=ago(h=1), active=False),
                ],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            True,
            id="an inactive opioid changed after it",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=after(h=1))],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            True,
            id="a change after the decision time is ignored",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=1))],
                "acknowledgements": [METHADONE_ACK_2H, ack("opioid-benzodiazepine", ago(m=30))],
            },
            "opioid-benzodiazepine",
            True,
            id="acknowledged again after the change",
        ),
        pytest.param(
            {
                "medications": [
                    med("methadone", "opioid"),
                    med("pregabalin", "gabapentinoid", changed_at=ago(h=1)),
                ],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "opioid-benzodiazepine",
            True,
            id="a gabapentinoid change does not lapse the opioid acknowledgement",
        ),
        pytest.param(
            {
                "medications": [med("pregabalin", "gabapentinoid", changed_at=ago(h=1))],
                "acknowledgements": [PREGABALIN_ACK_2H],
            },
            "cns-depressant",
            False,
            id="pregabalin dose changed after the acknowledgement",
        ),
        pytest.param(
            {
                "medications": [
                    med("pregabalin", "gabapentinoid", changed_at=ago(d=3)),
                    med("methadone", "opioid", changed_at=ago(h=1)),
                ],
                "acknowledgements": [PREGABALIN_ACK_2H],
            },
            "cns-depressant",
            True,
            id="a methadone change does not lapse the CNS-depressant acknowledgement",
        ),
        pytest.param(
            {
                "medications": [med("pregabalin", "gabapentinoid", changed_at=ago(d=3))],
                "acknowledgements": [PREGABALIN_ACK_2H],
                "add_administrations": [dose(ago(h=1), "1", drug="lorazepam")],
            },
            "cns-depressant",
            False,
            id="lorazepam given after the acknowledgement",
        ),
        pytest.param(
            {
                "acknowledgements": [PREGABALIN_ACK_2H],
                "add_administrations": [dose(ago(h=3), "1", drug="lorazepam")],
            },
            "cns-depressant",
            True,
            id="lorazepam given before the acknowledgement",
        ),
        pytest.param(
            {
                "acknowledgements": [PREGABALIN_ACK_2H],
                "add_administrations": [
                    dose(ago(h=3), "1", drug="lorazepam"),
                    dose(ago(h=1), "1", drug="lorazepam", outcome="refused"),
                ],
            },
            "cns-depressant",
            True,
            id="a refused lorazepam after the acknowledgement",
        ),
        # a course-limit acknowledgement covers the course day it was made on
        pytest.param(
            {
                "administrations": [dose(ago(d=5, h=2)), dose(ago(h=7))],
                "acknowledgements": [ack("course-limit", ago(h=1))],
            },
            "course-limit",
            True,
            id="course limit acknowledged earlier on the same course day",
        ),
        pytest.param(
            {
                "administrations": [dose(ago(d=5, h=2)), dose(ago(h=7))],
                "acknowledgements": [ack("course-limit", ago(h=3))],
            },
            "course-limit",
            False,
            id="course limit acknowledged on the previous course day: lapsed",
        ),
        # escalations that are about the patient last the episode (not 24 h)
        pytest.param(
            {
                "patient": {"age_years": 70},
                "episode": {"started_at": ago(d=3)},
                "acknowledgements": [ack("older-adult", ago(d=2))],
            },
            "older-adult",
            True,
            id="older adult acknowledged two days ago in this episode",
        ),
        # revision 2: every other acknowledgement lapses after 24 h (its edge lapsed)
        pytest.param(
            {
                "medications": [med("methadone", "opioid")],
                "acknowledgements": [ack("opioid-benzodiazepine", ago(h=23, m=59))],
            },
            "opioid-benzodiazepine",
            True,
            id="methadone acknowledged 23 h 59 min ago",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid")],
                "acknowledgements": [ack("opioid-benzodiazepine", ago(h=24))],
            },
            "opioid-benzodiazepine",
            False,
            id="methadone acknowledged exactly 24 h ago: lapsed",
        ),
        # an acknowledgement from before the episode (a previous admission) is ignored
        pytest.param(
            {
                "patient": {"age_years": 70},
                "acknowledgements": [ack("older-adult", "2019-03-01T10:00:00Z")],
            },
            "older-adult",
            False,
            id="older adult acknowledged in 2019: before this episode",
        ),
        pytest.param(
            {
                "patient": {"age_years": 70},
                "episode": {"started_at": ago(h=2)},
                "acknowledgements": [ack("older-adult", ago(h=3))],
            },
            "older-adult",
            False,
            id="acknowledged 1 h before the episode started",
        ),
        # it covers only a finding raised at its own moment
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=26))],
                "acknowledgements": [ack("cns-depressant", ago(h=2))],
            },
            "cns-depressant",
            False,
            id="cns-depressant acknowledged when none was raised",
        ),
        pytest.param(
            {
                "add_assessments": [cows(ago(m=5), 40)],
                "acknowledgements": [ack("severe-withdrawal", ago(h=2))],
            },
            "severe-withdrawal",
            False,
            id="severe withdrawal acknowledged before any severe COWS",
        ),
        # severe-withdrawal lapses when a later COWS is higher
        pytest.param(
            {
                "assessments": [cows(ago(h=1), 38), cows(ago(m=10), 38)],
                "acknowledgements": [ack("severe-withdrawal", ago(m=30))],
            },
            "severe-withdrawal",
            True,
            id="severe withdrawal acknowledged, COWS no higher since",
        ),
        pytest.param(
            {
                "assessments": [cows(ago(h=1), 38), cows(ago(m=10), 44)],
                "acknowledgements": [ack("severe-withdrawal", ago(m=30))],
            },
            "severe-withdrawal",
            False,
            id="severe withdrawal acknowledged, COWS higher since: lapsed",
        ),
    ],
)
def test_is_acknowledged(changes: dict[str, Any], code: str, stands: bool) -> None:
    assert is_acknowledged(context(**changes), code) is stands


@pytest.mark.parametrize(
    ("changes", "action", "dose"),
    [
        pytest.param(
            {"medications": [med("methadone", "opioid")], "acknowledgements": [METHADONE_ACK_2H]},
            "give",
            "0.5",
            id="acknowledged methadone: give",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid", changed_at=ago(h=1))],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "escalate",
            None,
            id="methadone changed since: escalate again",
        ),
        pytest.param(
            {
                "medications": [med("methadone", "opioid"), med("pregabalin", "gabapentinoid")],
                "acknowledgements": [METHADONE_ACK_2H],
            },
            "escalate",
            None,
            id="one of two escalations acknowledged: still escalate",
        ),
        pytest.param(
            {
                "patient": {"age_years": 70},
                "acknowledgements": [ack("older-adult", ago(h=1))],
            },
            "give",
            "0.25",
            id="older adult acknowledged: half dose",
        ),
    ],
)
def test_acknowledged_escalations_no_longer_block(
    changes: dict[str, Any], action: str, dose: str | None
) -> None:
    answer = decide(**changes)
    assert answer.action == action
    assert (str(answer.dose_mg.normalize()) if answer.dose_mg else None) == dose


def test_an_acknowledged_finding_is_a_warning_marked_acknowledged() -> None:
    answer = decide(medications=[med("methadone", "opioid")], acknowledgements=[METHADONE_ACK_2H])
    finding = answer.finding("opioid-benzodiazepine")
    assert finding is not None
    assert (finding.severity, finding.acknowledged, finding.group) == ("warning", True, "none")
    assert finding.to_json()["acknowledged"] is True
    unacknowledged = decide(medications=[med("methadone", "opioid")])
    finding = unacknowledged.finding("opioid-benzodiazepine")
    assert finding is not None
    assert (finding.severity, finding.acknowledged) == ("critical", False)
    assert "acknowledged" not in finding.to_json()


def test_an_acknowledgement_of_something_that_did_not_fire_changes_nothing() -> None:
    assert decide(acknowledgements=[METHADONE_ACK_2H]).codes == decide().codes


@pytest.mark.parametrize(
    "code",
    [
        "overdose-suspected",
        "news2-emergency",
        "alcohol",
        "benzodiazepine-allergy",
        "min-interval",
        "daily-limit",
        "oversedation",
        "vitals-stale",
        "no-withdrawal",
        "alpha2-agonist",
        "counselling",
        "no-such-finding",
    ],
)
def test_only_escalations_can_be_acknowledged(code: str) -> None:
    """Nobody can acknowledge away an emergency, a contraindication or a hold: bad input."""
    with pytest.raises(StateError) as raised:
        build(acknowledgements=[ack(code, ago(h=1))])
    (problem,) = raised.value.problems
    assert problem.startswith("acknowledgements[0].finding")
    assert repr(code) in problem
    assert "opioid-benzodiazepine" in problem  # says what is allowed


def test_every_escalation_can_be_acknowledged() -> None:
    escalations = default_protocol().acknowledgeable_codes
    assert set(escalations) == {
        "opioid-benzodiazepine",
        "cns-depressant",
        "course-limit",
        "severe-withdrawal",
        "pregnancy",
        "older-adult",
        "benzodiazepine-misuse",
        "cyp3a-inhibitor",
        "not-improving",
        "pregnancy-unknown",
        "respiratory-risk",
        "unknown-medicine",
        "unmapped-record",
    }
    acks = [ack(code, ago(h=1)) for code in escalations]
    assert len(build(acknowledgements=acks).acknowledgements) == len(escalations)


def test_an_acknowledgement_of_a_hold_is_refused_by_owm_evaluate(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document(acknowledgements=[ack("min-interval", ago(h=1))])))
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "min-interval" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("role", ["nurse", "x", "Dr Okafor", "pharmacist", "Physician", ""])
def test_only_a_physician_acknowledges(role: str) -> None:
    """`by` is the role (revision 2): a nurse's or anybody else's is bad input, never counted."""
    with pytest.raises(StateError) as raised:
        build(
            medications=[med("methadone", "opioid")],
            acknowledgements=[ack("opioid-benzodiazepine", ago(h=1), by=role)],
        )
    (problem,) = raised.value.problems
    assert problem.startswith("acknowledgements[0].by")
    assert "'physician'" in problem


def test_yesterday_s_severe_withdrawal_acknowledgement_gives_no_2_mg_tonight() -> None:
    """The case from the field: COWS 48 tonight, a severe-withdrawal acknowledgement made
    yesterday afternoon at COWS 38. It has lapsed twice over (24 h, and a higher COWS)."""
    answer = decide(
        at="2026-11-25T23:00:00Z",
        assessments=[cows("2026-11-24T15:00:00Z", 38), cows(ago(m=20), 48)],
        vitals=[vitals(ago(m=20))],
        sedation=[poss(ago(m=20), "1")],
        acknowledgements=[ack("severe-withdrawal", "2026-11-24T15:10:00Z")],
    )
    assert answer.action == "escalate"
    assert answer.dose_mg is None
    finding = answer.finding("severe-withdrawal")
    assert finding is not None and not finding.acknowledged
