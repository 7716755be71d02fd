"""The protocol: the shipped one loads with the spec's numbers; broken ones are refused.

A protocol that is incomplete or inconsistent must be refused when it is loaded,
with a message naming the field, never accepted and then fail (or decide wrongly)
at the bedside.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from owm.clinical import ProtocolError, default_protocol, load_protocol
from owm.clinical.protocol import ACTION_ORDER, FINDING_GROUPS, PHYSIOLOGICAL_FIELDS

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "state-moderate-withdrawal.json"

# The finding codes of the state format (../shared/state-format.md, "Finding codes").
FORMAT_CODES = """
overdose-suspected, news2-emergency, news2-urgent, oversedation, benzodiazepine-allergy,
liver-disease, narrow-angle-glaucoma, alcohol, respiratory-insufficiency,
min-interval, daily-limit, assessment-stale, vitals-stale, no-assessment,
opioid-benzodiazepine, cns-depressant, course-limit, severe-withdrawal,
pregnancy, older-adult, benzodiazepine-misuse, cyp3a-inhibitor, cyp3a-inducer,
not-improving, no-withdrawal, no-target-symptom, alpha2-agonist, side-effect, taper-needed,
night-dose, dose-reduced, counselling,
sedation-stale, alcohol-unknown, patient-details-missing, pregnancy-unknown,
medicine-class-mismatch, unknown-medicine, nurse-hold, respiratory-risk,
respiratory-depression-risk, seizure-risk, alcohol-use-disorder, unmapped-record
"""


def shipped_data() -> dict[str, Any]:
    text = resources.files("owm.protocols").joinpath("clonazepam-adjunct.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def write(tmp_path: Path, data: Any, name: str = "unit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- the shipped protocol -------------------------------------------------------------


def test_the_shipped_protocol_carries_the_spec_s_numbers() -> None:
    p = default_protocol()
    assert (p.id, p.version, p.drug, p.route) == ("clonazepam-adjunct", "2", "clonazepam", "oral")
    assert p.action_order == ACTION_ORDER
    d = p.dosing
    assert (d.standard_mg, d.night_mg, d.severe_mg, d.max_single_mg) == (
        Decimal("0.5"),
        Decimal("1"),
        Decimal("1"),
        Decimal("2"),
    )
    assert (d.smallest_strength_mg, d.daily_max_mg, d.min_interval_hours) == (
        Decimal("0.125"),
        Decimal("4"),
        Decimal("6"),
    )
    assert d.reduction_factor == Decimal("0.5")
    assert (d.night_starts, d.night_ends) == (time(22, 0), time(6, 0))
    w = p.windows
    assert (w.freshness_hours, w.alcohol_hours, w.late_charting_hours) == (
        Decimal(4),
        Decimal(24),
        Decimal(2),
    )
    t = p.thresholds
    assert (t.cows_no_withdrawal_below, t.cows_severe_dose_at_least) == (5, 25)
    assert t.cows_severe_withdrawal_above == 36
    assert (t.older_adult_age, t.course_limit_days, t.taper_after_days) == (65, 4, 7)
    assert t.not_improving_min_doses == 3
    # revision 2 (clinical spec section 8)
    assert t.childbearing_ages == (12, 55)
    assert t.respiratory_depression_rate_at_most == 11
    assert d.impossible_dose_mg == Decimal("20")
    assert p.acknowledgements.valid_hours == Decimal(24)
    assert set(p.acknowledgements.last_the_episode) == {
        "older-adult",
        "pregnancy",
        "benzodiazepine-misuse",
    }
    assert (p.taper.step_mg, p.taper.doses_per_day, p.taper.step_every_days) == (
        Decimal("0.125"),
        2,
        3,
    )
    pk = p.pharmacokinetics
    assert (pk.ka_per_hour, pk.clearance_l_per_hour, pk.volume_l) == (1.7, 4.3, 250)


def test_the_shipped_protocol_has_every_finding_of_the_format() -> None:
    codes = {c.strip() for c in FORMAT_CODES.replace("\n", " ").split(",")}
    assert set(FINDING_GROUPS) == codes
    assert set(default_protocol().findings) == codes


def test_every_finding_cites_a_source_and_names_its_rule() -> None:
    p = default_protocol()
    for code, spec in p.findings.items():
        assert spec.source, code
        assert p.source_text(code), code
        module, _, function = spec.rule.partition(".")
        assert module and function, code


def test_only_escalations_are_acknowledgeable() -> None:
    assert set(default_protocol().acknowledgeable_codes) == {
        code for code, group in FINDING_GROUPS.items() if group == "escalate"
    }


def test_the_shipped_protocol_is_loaded_once() -> None:
    assert default_protocol() is default_protocol()


def test_protocol_show_output_loads_back_as_the_same_protocol(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "owm", "protocol", "show"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / "shown.yaml"
    path.write_text(shown, encoding="utf-8")
    assert load_protocol(path) == default_protocol()


def test_a_copy_of_the_shipped_file_loads(tmp_path: Path) -> None:
    assert load_protocol(write(tmp_path, shipped_data())) == default_protocol()


# -- broken protocols -----------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = data
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


BROKEN: list[tuple[str, Mutation, str]] = [
    ("version missing", _drop("version"), "version: required field is missing"),
    ("dosing section missing", _drop("dosing"), "dosing: required field is missing"),
    ("night dose missing", _drop("dosing/night_mg"), "dosing.night_mg: required field is missing"),
    (
        "night dose above the maximum single dose",
        _set("dosing/night_mg", "3"),
        "dosing.night_mg: 3 mg is above max_single_mg (2 mg); allowed: at most max_single_mg",
    ),
    (
        "severe dose above the maximum single dose",
        _set("dosing/severe_mg", "2.5"),
        "dosing.severe_mg: 2.5 mg is above max_single_mg (2 mg)",
    ),
    (
        "maximum single dose above the daily maximum",
        _set("dosing/daily_max_mg", "1.5"),
        "dosing.max_single_mg: 2 mg is above daily_max_mg (1.5 mg)",
    ),
    (
        "standard dose not a multiple of the smallest strength",
        _set("dosing/smallest_strength_mg", "0.3"),
        "dosing.standard_mg: 0.5 mg is not a multiple of smallest_strength_mg (0.3 mg)",
    ),
    (
        "dose not a number",
        _set("dosing/standard_mg", "half"),
        "dosing.standard_mg: Input should be a valid decimal (got 'half')",
    ),
    (
        "dose zero",
        _set("dosing/standard_mg", "0"),
        "dosing.standard_mg: Input should be greater than 0 (got '0')",
    ),
    (
        "night start not a time",
        _set("dosing/night_starts", "late"),
        "dosing.night_starts: Input should be in a valid time format",
    ),
    (
        "unknown source key",
        _set("findings/alcohol/source", ["seed", "wikipedia"]),
        "findings.alcohol.source: unknown source 'wikipedia'; allowed: seed, fda-label",
    ),
    (
        "finding without a source",
        _set("findings/alcohol/source", []),
        "findings.alcohol.source: Tuple should have at least 1 item",
    ),
    (
        "finding code missing",
        _drop("findings/overdose-suspected"),
        "findings.overdose-suspected: required finding is missing",
    ),
    (
        "unknown finding code",
        _set(
            "findings/overdose",
            {"rule": "x.y", "group": "emergency", "severity": "critical", "source": ["seed"]},
        ),
        "findings.overdose: unknown finding code; allowed: overdose-suspected",
    ),
    (
        "a contraindication made acknowledgeable",
        _set("findings/alcohol/group", "escalate"),
        "findings.alcohol.group: 'escalate' is not allowed; allowed: 'contraindicated'",
    ),
    (
        "an emergency made harmless",
        _set("findings/overdose-suspected/group", "none"),
        "findings.overdose-suspected.group: 'none' is not allowed; allowed: 'emergency'",
    ),
    (
        "unknown severity",
        _set("findings/alcohol/severity", "fatal"),
        "findings.alcohol.severity: Input should be 'critical', 'warning' or 'info' (got 'fatal')",
    ),
    (
        "action order changed",
        _set(
            "action_order",
            ["give", "hold", "emergency", "contraindicated", "escalate", "not-indicated"],
        ),
        "action_order: ['give', 'hold',",
    ),
    (
        "unknown field",
        _set("dosing/maximum_mg", "2"),
        "dosing.maximum_mg: unknown field; it is not part of a protocol (got '2')",
    ),
    (
        "physiological limit missing",
        _drop("physiological_limits/pulse"),
        "physiological_limits.pulse: required limit is missing",
    ),
    (
        "physiological limit upside down",
        _set("physiological_limits/spo2", [100, 40]),
        "physiological_limits.spo2: low 100 is above high 40",
    ),
    (
        "unknown physiological limit",
        _set("physiological_limits/heart_rate", [0, 300]),
        "physiological_limits.heart_rate: unknown field; allowed: respiratory_rate",
    ),
    (
        "unknown COWS item in the target symptoms",
        _set("thresholds/target_symptom/cows_items/anxiety", 2),
        "thresholds.target_symptom.cows_items: 'anxiety' is not allowed; allowed: resting_pulse",
    ),
    (
        "unknown symptom code",
        _set("thresholds/target_symptom/symptoms", ["anxiety", "panic"]),
        "thresholds.target_symptom.symptoms: 'panic' is not allowed; allowed: anxiety",
    ),
    (
        "unknown POSS level",
        _set("thresholds/emergency/poss_levels", ["5"]),
        "thresholds.emergency.poss_levels: '5' is not allowed; allowed: S, 1, 2, 3, 4",
    ),
    (
        "unknown RASS level",
        _set("thresholds/oversedation/rass_levels", [-2, -6]),
        "thresholds.oversedation.rass_levels: -6 is not allowed; allowed: 4, 3, 2, 1, 0",
    ),
    (
        "COWS threshold beyond the scale",
        _set("thresholds/cows_severe_withdrawal_above", 60),
        "thresholds.cows_severe_withdrawal_above: 60 is beyond the COWS total; allowed: 0 to 48",
    ),
    (
        "companion for an unknown symptom",
        _set("companions/2/for", "diarrhea"),
        "companions[2].for: 'diarrhea' is not allowed; allowed: anxiety",
    ),
    (
        "companion avoided with an unknown condition",
        _set("companions/5/avoid_conditions", ["hepatitis"]),
        "companions[5].avoid_conditions: 'hepatitis' is not allowed",
    ),
    (
        "taper step not a multiple of the smallest strength",
        _set("taper/step_mg", "0.1"),
        "taper.step_mg: 0.1 mg is not a multiple of dosing.smallest_strength_mg (0.125 mg)",
    ),
    (
        "absorption equal to elimination",
        _set("pharmacokinetics/ka_per_hour", 4.3 / 250),
        "pharmacokinetics.ka_per_hour: 0.0172 equals the elimination rate",
    ),
    (
        "empty overdose checklist",
        _set("emergency_checklist", []),
        "emergency_checklist: Tuple should have at least 1 item",
    ),
    ("bad protocol id", _set("id", "My Unit"), "id: String should match pattern"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [pytest.param(m, e, id=name) for name, m, e in BROKEN]
)
def test_a_broken_protocol_is_refused_naming_the_field(
    tmp_path: Path, mutate: Mutation, expected: str
) -> None:
    data = copy.deepcopy(shipped_data())
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    message = str(caught.value)
    assert message.startswith(f"invalid protocol {path}:\n")
    lines = message.splitlines()[1:]
    assert len(lines) == 1, lines
    assert expected in lines[0], (expected, lines[0])
    assert "{" not in lines[0]  # the value is named, the surrounding document is not dumped


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    data = shipped_data()
    data["findings"]["alcohol"]["source"] = ["wikipedia"]
    del data["physiological_limits"]["pulse"]
    data["thresholds"]["target_symptom"]["symptoms"] = ["panic"]
    with pytest.raises(ProtocolError) as caught:
        load_protocol(write(tmp_path, data))
    lines = str(caught.value).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == [
        "findings.alcohol.source",
        "physiological_limits.pulse",
        "thresholds.target_symptom.symptoms",
    ]


def test_bad_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: clonazepam-adjunct\ndosing: {standard_mg: [\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    message = str(caught.value)
    assert message.startswith(f"protocol {path} is not valid YAML at line 3 column 1: ")
    assert "node content" in message  # libyaml's and PyYAML's wording differ a little


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just words\n"])
def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError, match=r"\(document\): Input should be a valid dictionary"):
        load_protocol(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ProtocolError, match=rf"cannot read protocol {path}: No such file"):
        load_protocol(path)


def test_physiological_fields_are_the_state_s_measured_values() -> None:
    assert set(PHYSIOLOGICAL_FIELDS) == set(default_protocol().physiological_limits)


# -- a unit's own protocol, end to end ------------------------------------------------


def test_a_units_protocol_decides_through_owm_evaluate(tmp_path: Path) -> None:
    data = shipped_data()
    data["version"] = "2-unit"
    data["dosing"]["standard_mg"] = "0.25"
    path = write(tmp_path, data)
    result = subprocess.run(
        [sys.executable, "-m", "owm", "evaluate", str(EXAMPLE), "--protocol", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["protocol"] == {"id": "clonazepam-adjunct", "version": "2-unit"}
    assert (answer["action"], answer["dose_mg"]) == ("give", "0.25")

    shipped = subprocess.run(
        [sys.executable, "-m", "owm", "evaluate", str(EXAMPLE)],
        capture_output=True,
        text=True,
    )
    assert json.loads(shipped.stdout)["dose_mg"] == "0.5"


def test_a_broken_units_protocol_stops_owm_evaluate(tmp_path: Path) -> None:
    data = shipped_data()
    data["dosing"]["night_mg"] = "3"
    path = write(tmp_path, data)
    result = subprocess.run(
        [sys.executable, "-m", "owm", "evaluate", str(EXAMPLE), "--protocol", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "dosing.night_mg: 3 mg is above max_single_mg" in result.stderr


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(
            ("acknowledgements", "last_the_episode", ["min-interval"]),
            "acknowledgements.last_the_episode: 'min-interval' is not allowed",
            id="a hold cannot last the episode",
        ),
        pytest.param(
            ("checklist_by_condition", "epilepsy", {"replace": "Not a line", "with": "x"}),
            "checklist_by_condition.epilepsy.replace",
            id="a replacement for a line the checklist does not have",
        ),
        pytest.param(
            ("thresholds", "childbearing_ages", [55, 12]),
            "thresholds.childbearing_ages: 55 is above 12",
            id="child-bearing ages in the wrong order",
        ),
    ],
)
def test_revision_2_settings_are_checked_on_load(
    tmp_path: Path, change: tuple[str, str, Any], says: str
) -> None:
    data = shipped_data()
    section, key, value = change
    data[section][key] = value
    with pytest.raises(ProtocolError, match=re.escape(says)):
        load_protocol(write(tmp_path, data))
