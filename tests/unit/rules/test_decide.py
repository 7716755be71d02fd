"""decide.evaluate (clinical spec section 3 and section 7): combining the findings.

The most urgent group that fired sets the action: emergency > contraindicated >
hold > escalate > not-indicated > give. Findings are listed once per code, by
severity (critical, warning, info) and then in the protocol's rule order. The
answer depends on the state and the protocol only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from owm.clinical import StateError, default_protocol, evaluate, parse_state
from owm.clinical.decide import _ordered
from owm.clinical.findings import SEVERITY_ORDER

from .support import (
    ack,
    ago,
    context,
    cows,
    decide,
    document,
    dose,
    med,
    poss,
    side_effect,
    vitals,
)

EMERGENCY = {"sedation": [poss(ago(m=10), "4")]}
CONTRAINDICATED = {"alcohol": {"last_drink_at": ago(h=2)}}
HOLD = {"administrations": [dose(ago(h=2))]}
ESCALATE = {"medications": [med("methadone", "opioid")]}
NOT_INDICATED = {"assessments": [cows(ago(m=30), 4)]}


def merged(*parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        out.update(part)
    return out


@pytest.mark.parametrize(
    ("changes", "action"),
    [
        pytest.param(
            merged(EMERGENCY, CONTRAINDICATED, HOLD, ESCALATE, NOT_INDICATED),
            "emergency",
            id="all five: emergency",
        ),
        pytest.param(
            merged(CONTRAINDICATED, HOLD, ESCALATE, NOT_INDICATED),
            "contraindicated",
            id="contraindicated over hold",
        ),
        pytest.param(merged(HOLD, ESCALATE, NOT_INDICATED), "hold", id="hold over escalate"),
        pytest.param(merged(ESCALATE, NOT_INDICATED), "escalate", id="escalate over not-indicated"),
        pytest.param(NOT_INDICATED, "not-indicated", id="not-indicated"),
        pytest.param({}, "give", id="nothing in the way: give"),
        pytest.param(
            merged(
                ESCALATE,
                NOT_INDICATED,
                {"acknowledgements": [ack("opioid-benzodiazepine", ago(h=1))]},
            ),
            "not-indicated",
            id="acknowledged escalation and not-indicated",
        ),
        pytest.param(
            merged(
                {"side_effects": [side_effect(ago(h=1), "diplopia")]},
                {"medications": [med("clonidine", "alpha2-agonist")]},
            ),
            "give",
            id="warnings never block",
        ),
    ],
)
def test_the_most_urgent_group_sets_the_action(changes: dict[str, Any], action: str) -> None:
    answer = decide(**changes)
    assert answer.action == action
    assert (answer.dose_mg is not None) is (action == "give")
    assert ("dose_mg" in answer.to_json()) is (action == "give")


def test_findings_are_ordered_by_severity_then_rule_order() -> None:
    answer = decide(
        alcohol={"last_drink_at": ago(h=2)},
        administrations=[dose(ago(h=2))],
        medications=[
            med("carbamazepine", "cyp3a-inducer"),
            med("clonidine", "alpha2-agonist"),
            med("methadone", "opioid"),
        ],
        side_effects=[side_effect(ago(h=1), "diplopia")],
    )
    assert answer.codes == (
        "alcohol",
        "min-interval",
        "opioid-benzodiazepine",
        "alpha2-agonist",
        "side-effect",
        "cyp3a-inducer",
        "counselling",
    )


def test_an_acknowledged_escalation_moves_among_the_warnings() -> None:
    answer = decide(
        medications=[med("methadone", "opioid")],
        acknowledgements=[ack("opioid-benzodiazepine", ago(h=1))],
        side_effects=[side_effect(ago(h=1), "ataxia")],
        at="2026-11-25T22:00:00Z",
    )
    assert answer.action == "give"
    assert answer.codes == ("opioid-benzodiazepine", "side-effect", "night-dose", "counselling")


def test_give_findings_come_before_the_non_blocking_ones_of_the_same_severity() -> None:
    """Section 3 puts night-dose and dose-reduced (step 6) before the CYP3A inducer."""
    answer = decide(
        at="2026-11-25T22:00:00Z",
        medications=[med("carbamazepine", "cyp3a-inducer")],
        patient={"conditions": ["mild-liver-disease"]},
    )
    assert answer.codes == ("night-dose", "dose-reduced", "cyp3a-inducer", "counselling")


# The rule order of clinical spec section 3: steps 1-6, then the findings that never block.
SECTION_3_ORDER = [
    "overdose-suspected",
    "news2-emergency",
    "benzodiazepine-allergy",
    "liver-disease",
    "narrow-angle-glaucoma",
    "alcohol",
    "respiratory-insufficiency",
    "oversedation",
    "news2-urgent",
    "min-interval",
    "daily-limit",
    "no-assessment",
    "assessment-stale",
    "vitals-stale",
    "sedation-stale",
    "alcohol-unknown",
    "patient-details-missing",
    "nurse-hold",
    "respiratory-depression-risk",
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
    "no-withdrawal",
    "no-target-symptom",
    "night-dose",
    "dose-reduced",
    "alpha2-agonist",
    "cyp3a-inducer",
    "side-effect",
    "counselling",
    "taper-needed",
    "medicine-class-mismatch",
    "seizure-risk",
    "alcohol-use-disorder",
]


@pytest.mark.parametrize("severity", ["critical", "warning", "info"])
def test_the_protocol_lists_findings_in_the_rule_order_of_section_3(severity: str) -> None:
    findings = default_protocol().findings
    assert set(SECTION_3_ORDER) == set(findings)
    listed = [c for c in findings if findings[c].severity == severity]
    assert listed == [c for c in SECTION_3_ORDER if findings[c].severity == severity]


CASES = [
    {},
    merged(EMERGENCY, CONTRAINDICATED, HOLD, ESCALATE, NOT_INDICATED),
    {
        "medications": [med("pregabalin", "gabapentinoid"), med("diazepam", "benzodiazepine")],
        "add_administrations": [
            dose(ago(h=3), "1", drug="lorazepam"),
            dose(ago(h=9), "1", drug="lorazepam"),
        ],
    },
    {
        "patient": {"conditions": ["sleep-apnoea", "severe-respiratory-insufficiency"]},
        "side_effects": [side_effect(ago(h=3), "diplopia"), side_effect(ago(h=1), "diplopia")],
    },
    {"at": "2026-11-25T23:00:00Z", "patient": {"conditions": ["mild-liver-disease"]}},
]


@pytest.mark.parametrize("changes", CASES)
def test_each_code_at_most_once_and_in_order(changes: dict[str, Any]) -> None:
    answer = decide(**changes)
    assert len(answer.codes) == len(set(answer.codes))
    rank = list(default_protocol().findings)
    keys = [(SEVERITY_ORDER[f.severity], rank.index(f.code)) for f in answer.findings]
    assert keys == sorted(keys)


def test_ordering_keeps_the_first_of_a_code_reported_twice() -> None:
    ctx = context()
    first = ctx.finding("side-effect", "first")
    second = ctx.finding("side-effect", "second")
    counsel = ctx.finding("counselling", "tell")
    assert _ordered(ctx, [counsel, first, second]) == (first, counsel)


@pytest.mark.parametrize("changes", CASES)
def test_every_finding_names_its_rule_and_source(changes: dict[str, Any]) -> None:
    protocol = default_protocol()
    for finding in decide(**changes).findings:
        spec = protocol.findings[finding.code]
        assert finding.rule == spec.rule
        assert finding.source.strip()
        assert finding.message.strip()
        assert finding.severity == ("warning" if finding.acknowledged else spec.severity)


@pytest.mark.parametrize("changes", CASES)
def test_the_same_state_gives_the_same_answer(changes: dict[str, Any]) -> None:
    protocol = default_protocol()
    doc = document(**changes)
    first = evaluate(parse_state(doc, protocol), protocol).to_json()
    again = evaluate(parse_state(json.loads(json.dumps(doc)), protocol), protocol).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_record_order_does_not_change_the_answer() -> None:
    """Records are read by their times, not their position in the lists."""
    doc = document(administrations=[dose(ago(h=30)), dose(ago(h=8))])
    shuffled = {
        **doc,
        "administrations": doc["administrations"][::-1],
        "assessments": doc["assessments"][::-1],
    }
    protocol = default_protocol()
    answers = [evaluate(parse_state(d, protocol), protocol).to_json() for d in (doc, shuffled)]
    assert answers[0] == answers[1]


def test_the_answer_names_the_protocol_drug_and_route() -> None:
    data = decide().to_json()
    assert data["format"] == "owm-recommendation/1"
    assert data["protocol"] == {"id": "clonazepam-adjunct", "version": "2"}
    assert (data["drug"], data["route"]) == ("clonazepam", "oral")
    assert data["disclaimer"]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        pytest.param({"vitals": [vitals(ago(m=10), pulse=400)]}, "vitals[0].pulse", id="pulse 400"),
        pytest.param(
            {"assessments": [cows(ago(m=10), restlessness=2)]},
            "assessments[0].items.restlessness",
            id="COWS restlessness 2",
        ),
        pytest.param({"sedation": [poss(ago(m=10), "5")]}, "sedation[0].level", id="POSS 5"),
        pytest.param(
            {"administrations": [{**dose(ago(h=7)), "at": "2026-11-25T07:00:00"}]},
            "administrations[0].at",
            id="a time without a time zone",
        ),
        pytest.param(
            {"administrations": [{**dose(ago(h=7)), "dose": "0.5"}]},
            "administrations[0].dose",
            id="an unknown field",
        ),
        pytest.param(
            {"medications": [med("methadone", "opiate")]},
            "medications[0].class",
            id="an unknown medication class",
        ),
        pytest.param(
            {"administrations": [dose(ago(h=7), "-0.5")]},
            "administrations[0].dose_mg",
            id="a negative dose",
        ),
    ],
)
def test_no_decision_is_made_from_bad_input(changes: dict[str, Any], path: str) -> None:
    """Bad input is refused with the field named; it is never clamped or guessed."""
    with pytest.raises(StateError) as raised:
        decide(**changes)
    assert any(problem.startswith(path) for problem in raised.value.problems), raised.value.problems
