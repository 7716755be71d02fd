"""The protocol's `findings` table and the rules agree.

Every finding code in the protocol YAML names a rule id `<module>.<function>` that
exists in `owm.clinical.rules` and produces that code (a case for each code is
below: a new code without a case fails here); every finding has a rule id and a
non-empty source; every rule function is named by some finding; and the codes
are the stable ones of the state format (`../shared/state-format.md`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from owm.clinical import Finding, default_protocol
from owm.clinical.context import Context
from owm.clinical.decide import RULES

from .support import VIGNETTES, ago, context, cows, decide, dose, med, poss, side_effect, vitals

NIGHT = "2026-11-25T22:00:00Z"
NOT_IMPROVING = {
    "assessments": [cows(ago(h=30), 20), cows(ago(m=30), 20)],
    "administrations": [dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
}

# One state that produces each code (and, with evaluate, shows it in the answer).
CASES: dict[str, dict[str, Any]] = {
    "overdose-suspected": {"sedation": [poss(ago(m=10), "4")]},
    "news2-emergency": {
        "vitals": [vitals(ago(m=10), respiratory_rate=21, pulse=111, systolic_bp=100, spo2=94)]
    },
    "news2-urgent": {"vitals": [vitals(ago(m=10), respiratory_rate=25)]},
    "benzodiazepine-allergy": {"patient": {"allergies": ["benzodiazepines"]}},
    "liver-disease": {"patient": {"conditions": ["significant-liver-disease"]}},
    "narrow-angle-glaucoma": {"patient": {"conditions": ["acute-narrow-angle-glaucoma"]}},
    "alcohol": {"alcohol": {"last_drink_at": ago(h=2)}},
    "respiratory-insufficiency": {"patient": {"conditions": ["sleep-apnoea"]}},
    "oversedation": {"sedation": [poss(ago(m=10), "3")]},
    "min-interval": {"administrations": [dose(ago(h=1))]},
    "daily-limit": {"administrations": [dose(ago(h=18), "2"), dose(ago(h=12), "2")]},
    "no-assessment": {"assessments": []},
    "assessment-stale": {"assessments": [cows(ago(h=5), 15)]},
    "vitals-stale": {"vitals": []},
    "opioid-benzodiazepine": {"medications": [med("methadone", "opioid")]},
    "cns-depressant": {"medications": [med("pregabalin", "gabapentinoid")]},
    "course-limit": {"administrations": [dose(ago(d=5)), dose(ago(h=7))]},
    "severe-withdrawal": {"add_assessments": [cows(ago(m=5), 37)]},
    "pregnancy": {"patient": {"pregnant": True}},
    "older-adult": {"patient": {"age_years": 70}},
    "benzodiazepine-misuse": {"patient": {"history": ["benzodiazepine-misuse"]}},
    "cyp3a-inhibitor": {"medications": [med("clarithromycin", "cyp3a-inhibitor")]},
    "not-improving": NOT_IMPROVING,
    "no-withdrawal": {"assessments": [cows(ago(m=30), 4)]},
    "no-target-symptom": {"assessments": [cows(ago(m=30), resting_pulse=4, pupil_size=5)]},
    "alpha2-agonist": {"medications": [med("clonidine", "alpha2-agonist")]},
    "cyp3a-inducer": {"medications": [med("carbamazepine", "cyp3a-inducer")]},
    "side-effect": {"side_effects": [side_effect(ago(h=1), "diplopia")]},
    "taper-needed": {"administrations": [dose(ago(d=8)), dose(ago(h=7))]},
    "night-dose": {"at": NIGHT},
    "dose-reduced": {"patient": {"conditions": ["mild-liver-disease"]}},
    "counselling": {},
    "sedation-stale": {"sedation": []},
    "alcohol-unknown": {"alcohol": {"last_drink_at": None, "breath_alcohol_mg_l": None}},
    "patient-details-missing": {"patient": {"age_years": None}},
    "pregnancy-unknown": {"patient": {"pregnant": None}},
    "nurse-hold": {"holds": [{"at": ago(m=5), "reason": "asleep; dose held"}]},
    "respiratory-depression-risk": {
        "medications": [med("methadone", "opioid")],
        "vitals": [vitals(ago(m=10), respiratory_rate=11)],
    },
    "respiratory-risk": {"patient": {"conditions": ["copd"]}},
    "unknown-medicine": {"medications": [med("zolvenaxil", "other")]},
    "unmapped-record": {
        "unmapped": [{"kind": "condition", "text": "Condition/1: obstructive sleep apnoea"}]
    },
    "medicine-class-mismatch": {"medications": [med("methadone", "other")]},
    "seizure-risk": {"patient": {"conditions": ["epilepsy"]}},
    "alcohol-use-disorder": {"patient": {"history": ["alcohol-use-disorder"]}},
}

PROTOCOL = default_protocol()


def rule_function(rule_id: str) -> Callable[[Context], Iterator[Finding]]:
    module_name, _, function_name = rule_id.partition(".")
    module = importlib.import_module(f"owm.clinical.rules.{module_name}")
    function = getattr(module, function_name, None)
    assert callable(function), f"{rule_id}: no function {function_name} in {module.__name__}"
    assert function_name in module.__all__, f"{rule_id} is not exported"
    found: Callable[[Context], Iterator[Finding]] = function
    return found


@pytest.mark.parametrize("code", list(PROTOCOL.findings))
def test_every_finding_code_is_produced_by_the_rule_it_names(code: str) -> None:
    spec = PROTOCOL.findings[code]
    assert re.fullmatch(r"[a-z_0-9]+\.[a-z_0-9]+", spec.rule), spec.rule
    assert code in CASES, f"no case produces {code}: add one to CASES"
    produced = [f.code for f in rule_function(spec.rule)(context(**CASES[code]))]
    assert produced == [code]
    shown = decide(**CASES[code]).finding(code)
    assert shown is not None, f"{code} is not in the answer"
    assert shown.rule == spec.rule


@pytest.mark.parametrize("code", list(PROTOCOL.findings))
def test_every_finding_has_a_rule_id_and_a_source(code: str) -> None:
    spec = PROTOCOL.findings[code]
    assert spec.rule
    assert spec.source
    assert all(PROTOCOL.sources[key].strip() for key in spec.source)
    assert PROTOCOL.source_text(code).strip()


def test_every_rule_function_is_named_by_a_finding() -> None:
    named = {spec.rule for spec in PROTOCOL.findings.values()}
    run = {f"{rule.__module__.rpartition('.')[2]}.{rule.__name__}" for rule in RULES}
    assert run - named == set(), "rules that report no finding of the protocol"
    # and every named rule outside the give path is run for every decision
    give_path = {"dosing.night_dose", "dosing.dose_reduced"}
    assert named - give_path == run


def test_no_case_is_left_over() -> None:
    assert set(CASES) == set(PROTOCOL.findings)


def test_the_codes_are_the_stable_codes_of_the_state_format() -> None:
    text = (VIGNETTES.parent / "state-format.md").read_text(encoding="utf-8")
    paragraph = text.split("Finding codes (stable; tests and screens rely on them):", 1)[1]
    paragraph = paragraph.strip().split("\n\n", 1)[0]
    paragraph = re.sub(r"\([^)]*\)", "", paragraph)
    first, _, revision_2 = paragraph.partition("Added in revision 2 :")
    stable = {
        c.strip().rstrip(".")
        for part in (first, revision_2)
        for c in part.replace("\n", " ").split(",")
        if c.strip()
    }
    assert "sedation-stale" in stable  # revision 2's codes are read too
    assert stable == set(PROTOCOL.findings)


def test_escalations_are_exactly_what_can_be_acknowledged() -> None:
    escalate = {c for c, s in PROTOCOL.findings.items() if s.group == "escalate"}
    assert set(PROTOCOL.acknowledgeable_codes) == escalate
    assert all(PROTOCOL.findings[c].severity == "critical" for c in escalate)


def test_the_clinical_core_reads_no_clock() -> None:
    """No rule reads the clock: the decision time is the state's `at`."""
    clock = re.compile(
        r"\b(datetime\.now|datetime\.utcnow|time\.time|time\.monotonic|date\.today)\("
    )
    rules_dir = Path(importlib.import_module("owm.clinical.rules").__path__[0])
    for path in [*rules_dir.glob("*.py"), *rules_dir.parent.glob("*.py")]:
        found = clock.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name} reads the clock ({found and found.group(0)})"
