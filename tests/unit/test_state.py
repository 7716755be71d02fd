"""Strict parsing of owm-state/1: bad input is refused, and the message says where and why.

Each case changes one thing in a valid state and expects one problem line that
names the field path, the value given and what is allowed. Valid variations
(RASS "+1", a missing optional field) are accepted and read as the format says.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from owm.clinical import StateError, default_protocol, load_protocol, parse_state
from owm.clinical.state import PatientState

EXAMPLE = Path(__file__).parents[2] / "examples" / "state-moderate-withdrawal.json"
PROTOCOL = default_protocol()

Mutation = Callable[[dict[str, Any]], None]


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def problems_of(mutate: Mutation) -> list[str]:
    data = base()
    mutate(data)
    with pytest.raises(StateError) as caught:
        parse_state(data, PROTOCOL)
    return caught.value.problems


def parsed(mutate: Mutation) -> PatientState:
    data = base()
    mutate(data)
    return parse_state(data, PROTOCOL)


def test_the_example_state_is_valid() -> None:
    state = parse_state(base(), PROTOCOL)
    assert state.format == "owm-state/1"
    assert state.assessments[-1].total == 15


def _set(path: str, value: Any) -> Mutation:
    """Set a value at a dotted path; [n] indexes a list."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[parts[-1]]

    return mutate


def _append(path: str, record: dict[str, Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data.setdefault(path, []).append(copy.deepcopy(record))

    return mutate


ACK = {"by": "physician", "at": "2026-11-25T09:00:00Z", "reason": "reviewed"}

# (case id, mutation, the one problem line must contain each of these fragments)
REJECTED: list[tuple[str, Mutation, tuple[str, ...]]] = [
    # unknown fields, at every level
    ("unknown top-level field", _set("colour", "red"), ("colour:", "unknown field", "'red'")),
    (
        "unknown nested field",
        _set("vitals[0].heart_rate", 96),
        ("vitals[0].heart_rate:", "unknown field", "96"),
    ),
    (
        "field spelled as in Python, not as in the format",
        _append("medications", {"name": "methadone", "class": "opioid", "class_": "opioid"}),
        ("medications[0].class_:", "unknown field", "'opioid'"),
    ),
    # unknown codes
    (
        "unknown condition",
        _set("patient.conditions", ["flu"]),
        ("patient.conditions[0]:", "'flu'", "'sleep-apnoea'", "'renal-impairment'"),
    ),
    (
        "unknown allergy",
        _set("patient.allergies", ["penicillin"]),
        ("patient.allergies[0]:", "'penicillin'", "'benzodiazepines'"),
    ),
    (
        "unknown history",
        _set("patient.history", ["gambling"]),
        ("patient.history[0]:", "'gambling'", "'benzodiazepine-misuse'"),
    ),
    (
        "unknown medication class",
        _append("medications", {"name": "oxycodone", "class": "opiate"}),
        ("medications[0].class:", "'opiate'", "'opioid'", "'cyp3a-inducer'"),
    ),
    (
        "unknown symptom",
        _append("symptoms", {"at": "2026-11-25T13:00:00Z", "code": "itch"}),
        ("symptoms[0].code:", "'itch'", "'restless-legs'"),
    ),
    (
        "unknown side effect",
        _append("side_effects", {"at": "2026-11-25T13:00:00Z", "code": "rash"}),
        ("side_effects[0].code:", "'rash'", "'diplopia'"),
    ),
    (
        "unknown instrument",
        _set("assessments[1].instrument", "CIWA"),
        ("assessments[1].instrument:", "'CIWA'", "'COWS'", "'SOWS'", "'OOWS'"),
    ),
    (
        "unknown drug",
        _set("administrations[0].drug", "ketamine"),
        ("administrations[0].drug:", "'ketamine'", "'clonazepam'", "'lorazepam'", "'loperamide'"),
    ),
    (
        "unknown route",
        _set("administrations[0].route", "nasal"),
        ("administrations[0].route:", "'nasal'", "'oral'", "'sublingual'"),
    ),
    (
        "unknown outcome",
        _set("administrations[0].outcome", "spilled"),
        ("administrations[0].outcome:", "'spilled'", "'partial'", "'refused'"),
    ),
    (
        "unknown consciousness",
        _set("vitals[0].consciousness", "drowsy"),
        ("vitals[0].consciousness:", "'drowsy'", "'alert'", "'unresponsive'"),
    ),
    (
        "unknown sedation scale",
        _append("sedation", {"at": "2026-11-25T13:30:00Z", "scale": "MOAA/S", "level": "3"}),
        ("sedation[1].scale:", "'MOAA/S'", "'POSS'", "'RASS'"),
    ),
    (
        "unknown setting",
        _set("episode.setting", "icu"),
        ("episode.setting:", "'icu'", "'inpatient'", "'outpatient'"),
    ),
    (
        "unknown sex",
        _set("patient.sex", "f"),
        ("patient.sex:", "'f'", "'female'", "'unknown'"),
    ),
    (
        "unknown format",
        _set("format", "owm-state/2"),
        ("format:", "'owm-state/2'", "'owm-state/1'"),
    ),
    (
        "unknown time zone",
        _set("ward.timezone", "Mars/Olympus"),
        ("ward.timezone:", "'Mars/Olympus'", "IANA", "Europe/London"),
    ),
    # impossible values, at the protocol's physiological limits
    ("pulse 400", _set("vitals[0].pulse", 400), ("vitals[0].pulse:", "400", "0 to 300")),
    ("pulse -1", _set("vitals[0].pulse", -1), ("vitals[0].pulse:", "-1", "0 to 300")),
    (
        "respiratory rate 81",
        _set("vitals[0].respiratory_rate", 81),
        ("vitals[0].respiratory_rate:", "81", "0 to 80"),
    ),
    ("SpO2 101", _set("vitals[0].spo2", 101), ("vitals[0].spo2:", "101", "40 to 100")),
    ("SpO2 39", _set("vitals[0].spo2", 39), ("vitals[0].spo2:", "39", "40 to 100")),
    (
        "systolic 301",
        _set("vitals[0].systolic_bp", 301),
        ("vitals[0].systolic_bp:", "301", "30 to 300"),
    ),
    (
        "systolic 29",
        _set("vitals[0].systolic_bp", 29),
        ("vitals[0].systolic_bp:", "29", "30 to 300"),
    ),
    (
        "temperature 45.1",
        _set("vitals[0].temperature_c", 45.1),
        ("vitals[0].temperature_c:", "45.1", "25.0 to 45.0"),
    ),
    (
        "temperature 24.9",
        _set("vitals[0].temperature_c", 24.9),
        ("vitals[0].temperature_c:", "24.9", "25.0 to 45.0"),
    ),
    ("age 121", _set("patient.age_years", 121), ("patient.age_years:", "121", "12 to 120")),
    ("age 11", _set("patient.age_years", 11), ("patient.age_years:", "11", "12 to 120")),
    ("weight 19", _set("patient.weight_kg", 19), ("patient.weight_kg:", "19", "20 to 400")),
    ("weight 401", _set("patient.weight_kg", 401), ("patient.weight_kg:", "401", "20 to 400")),
    (
        "breath alcohol negative",
        _set("alcohol.breath_alcohol_mg_l", -0.1),
        ("alcohol.breath_alcohol_mg_l:", "-0.1", "0 to 5"),
    ),
    (
        "breath alcohol 5.1",
        _set("alcohol.breath_alcohol_mg_l", 5.1),
        ("alcohol.breath_alcohol_mg_l:", "5.1", "0 to 5"),
    ),
    (
        "temperature not a number",
        _set("vitals[0].temperature_c", "NaN"),
        ("vitals[0].temperature_c:", "'NaN'", "finite number"),
    ),
    (
        "pulse with a fraction",
        _set("vitals[0].pulse", 96.5),
        ("vitals[0].pulse:", "96.5", "integer"),
    ),
    (
        "pulse as text",
        _set("vitals[0].pulse", "96"),
        ("vitals[0].pulse:", "'96'", "whole number"),
    ),
    (
        "age true",
        _set("patient.age_years", True),
        ("patient.age_years:", "True", "whole number"),
    ),
    (
        "oxygen as text",
        _set("vitals[0].oxygen", "no"),
        ("vitals[0].oxygen:", "'no'", "true or false"),
    ),
    ("oxygen as 0", _set("vitals[0].oxygen", 0), ("vitals[0].oxygen:", "0", "true or false")),
    (
        "pregnant as text",
        _set("patient.pregnant", "false"),
        ("patient.pregnant:", "'false'", "true or false"),
    ),
    (
        "dose zero",
        _set("administrations[0].dose_mg", "0"),
        ("administrations[0].dose_mg:", "'0'", "greater than 0"),
    ),
    (
        "dose negative",
        _set("administrations[0].dose_mg", "-0.5"),
        ("administrations[0].dose_mg:", "'-0.5'", "greater than 0"),
    ),
    (
        "rxnorm not digits",
        _append("medications", {"name": "methadone", "class": "opioid", "rxnorm": "RX6813"}),
        ("medications[0].rxnorm:", "'RX6813'", "[0-9]"),
    ),
    # instrument items: unknown, missing, value not on the form
    (
        "COWS value not allowed",
        _set("assessments[1].items.restlessness", 2),
        ("assessments[1].items.restlessness:", "value 2", "allowed: 0, 1, 3, 5"),
    ),
    (
        "COWS resting pulse 3",
        _set("assessments[1].items.resting_pulse", 3),
        ("assessments[1].items.resting_pulse:", "value 3", "allowed: 0, 1, 2, 4"),
    ),
    (
        "COWS gooseflesh 1",
        _set("assessments[1].items.gooseflesh", 1),
        ("assessments[1].items.gooseflesh:", "value 1", "allowed: 0, 3, 5"),
    ),
    (
        "COWS item true",
        _set("assessments[1].items.tremor", True),
        ("assessments[1].items.tremor:", "True", "whole number"),
    ),
    (
        "COWS item missing",
        _drop("assessments[1].items.tremor"),
        ("assessments[1].items.tremor:", "'tremor' is missing", "every item must be scored"),
    ),
    (
        "COWS item unknown",
        _set("assessments[1].items.sneezing", 1),
        ("assessments[1].items.sneezing:", "'sneezing'", "allowed items:", "gooseflesh"),
    ),
    (
        "SOWS value 5",
        _append(
            "assessments",
            {
                "instrument": "SOWS",
                "at": "2026-11-25T13:30:00Z",
                "items": {
                    "anxious": 5,
                    "yawning": 0,
                    "perspiring": 0,
                    "eyes_tearing": 0,
                    "nose_running": 0,
                    "goose_flesh": 0,
                    "shaking": 0,
                    "hot_flushes": 0,
                    "cold_flushes": 0,
                    "bones_and_muscles_ache": 0,
                    "restless": 0,
                    "nauseous": 0,
                    "like_vomiting": 0,
                    "muscles_twitch": 0,
                    "stomach_cramps": 0,
                    "craving_to_use_now": 0,
                },
            },
        ),
        ("assessments[2].items.anxious:", "value 5", "allowed: 0, 1, 2, 3, 4"),
    ),
    (
        "OOWS items mostly missing",
        _append(
            "assessments",
            {"instrument": "OOWS", "at": "2026-11-25T13:30:00Z", "items": {"yawning": 1}},
        ),
        ("assessments[2].items:", "rhinorrhoea", "anxiety", "are missing"),
    ),
    # sedation levels
    (
        "POSS level 5",
        _set("sedation[0].level", "5"),
        ("sedation[0].level:", "'5'", "allowed: S, 1, 2, 3, 4"),
    ),
    (
        "POSS level with a plus",
        _set("sedation[0].level", "+1"),
        ("sedation[0].level:", "'+1'", "allowed: S, 1, 2, 3, 4"),
    ),
    (
        "POSS level as a number",
        _set("sedation[0].level", 1),
        ("sedation[0].level:", "1", "string"),
    ),
    (
        "RASS +5",
        _append("sedation", {"at": "2026-11-25T13:30:00Z", "scale": "RASS", "level": "+5"}),
        ("sedation[1].level:", "'+5'", "-5", "4"),
    ),
    (
        "RASS plus minus",
        _append("sedation", {"at": "2026-11-25T13:30:00Z", "scale": "RASS", "level": "+-1"}),
        ("sedation[1].level:", "'+-1'", "-5"),
    ),
    # times
    (
        "decision time without a time zone",
        _set("at", "2026-11-25T14:00:00"),
        ("at:", "'2026-11-25T14:00:00'", "timezone"),
    ),
    (
        "record time without a time zone",
        _set("vitals[0].at", "2026-11-25T13:30:00"),
        ("vitals[0].at:", "'2026-11-25T13:30:00'", "timezone"),
    ),
    (
        "a date without a time",
        _set("episode.started_at", "2026-11-24"),
        ("episode.started_at:", "'2026-11-24'", "timezone"),
    ),
    (
        "a bare number as a time",
        _set("at", 1795615200),
        ("at:", "1795615200", "ISO 8601", "time zone"),
    ),
    (
        "impossible offset",
        _set("sedation[0].at", "2026-11-25T13:30:00+25:00"),
        ("sedation[0].at:", "'2026-11-25T13:30:00+25:00'", "datetime"),
    ),
    (
        "charted before it was given",
        _set("administrations[1].recorded_at", "2026-11-25T06:00:00Z"),
        ("administrations[1]:", "recorded_at 2026-11-25T06:00:00", "before at 2026-11-25T06:10:00"),
    ),
    # acknowledgements: escalations only
    (
        "acknowledging a hold",
        _append("acknowledgements", {"finding": "min-interval", **ACK}),
        ("acknowledgements[0].finding:", "'min-interval'", "opioid-benzodiazepine", "older-adult"),
    ),
    (
        "acknowledging an emergency",
        _append("acknowledgements", {"finding": "overdose-suspected", **ACK}),
        ("acknowledgements[0].finding:", "'overdose-suspected'", "cns-depressant"),
    ),
    (
        "acknowledging a contraindication",
        _append("acknowledgements", {"finding": "alcohol", **ACK}),
        ("acknowledgements[0].finding:", "'alcohol'", "not-improving"),
    ),
    (
        "acknowledging an unknown code",
        _append("acknowledgements", {"finding": "whatever", **ACK}),
        ("acknowledgements[0].finding:", "'whatever'", "course-limit"),
    ),
    (
        "acknowledgement without a reason",
        _append("acknowledgements", {**ACK, "finding": "pregnancy", "reason": ""}),
        ("acknowledgements[0].reason:", "''", "at least 1 character"),
    ),
    # protocol
    (
        "protocol id mismatch",
        _set("protocol", "benzo-taper"),
        ("protocol:", "'benzo-taper'", "'clonazepam-adjunct'"),
    ),
    # required parts and shapes
    ("ward missing", _drop("ward"), ("ward:", "required field is missing")),
    ("at missing", _drop("at"), ("at:", "required field is missing")),
    (
        "administration time missing",
        _drop("administrations[0].at"),
        ("administrations[0].at:", "required field is missing"),
    ),
    ("vitals null", _set("vitals", None), ("vitals:", "None", "tuple")),
]


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [pytest.param(m, f, id=name) for name, m, f in REJECTED],
)
def test_bad_input_is_refused_with_path_value_and_allowed(
    mutate: Mutation, fragments: tuple[str, ...]
) -> None:
    problems = problems_of(mutate)
    assert len(problems) == 1, problems
    for fragment in fragments:
        assert fragment in problems[0], (fragment, problems[0])


def test_every_problem_is_reported_at_once() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["vitals"][0]["pulse"] = 400
        data["patient"]["conditions"] = ["flu"]
        data["assessments"][1]["items"]["restlessness"] = 2

    problems = problems_of(mutate)
    assert len(problems) == 3
    assert {p.split(":")[0] for p in problems} == {
        "vitals[0].pulse",
        "patient.conditions[0]",
        "assessments[1].items.restlessness",
    }


def test_the_error_text_lists_every_problem() -> None:
    data = base()
    data["vitals"][0]["pulse"] = 400
    with pytest.raises(StateError) as caught:
        parse_state(data, PROTOCOL)
    assert "invalid owm-state/1" in str(caught.value)
    assert "vitals[0].pulse" in str(caught.value)


def test_a_long_value_is_shortened_in_the_message() -> None:
    problems = problems_of(_set("ward.colour", "x" * 500))
    assert len(problems[0]) < 200
    assert "..." in problems[0]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(StateError) as caught:
        parse_state([1, 2], PROTOCOL)  # type: ignore[arg-type]
    assert caught.value.problems[0].startswith("(document):")


# -- valid variations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "level", "rass"), [("+1", "1", 1), ("1", "1", 1), ("+4", "4", 4)]
)
def test_rass_with_a_leading_plus_is_accepted(given: str, level: str, rass: int) -> None:
    state = parsed(
        _append("sedation", {"at": "2026-11-25T13:30:00Z", "scale": "RASS", "level": given})
    )
    (record,) = [s for s in state.sedation if s.scale == "RASS"]
    assert record.level == level
    assert record.rass == rass


@pytest.mark.parametrize("level", ["-5", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "4"])
def test_every_rass_level_is_accepted(level: str) -> None:
    state = parsed(
        _append("sedation", {"at": "2026-11-25T13:30:00Z", "scale": "RASS", "level": level})
    )
    (record,) = [s for s in state.sedation if s.scale == "RASS"]
    assert record.rass == int(level)


@pytest.mark.parametrize("level", ["S", "1", "2", "3", "4"])
def test_every_poss_level_is_accepted(level: str) -> None:
    assert parsed(_set("sedation[0].level", level)).sedation[0].level == level


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vitals[0].pulse", 0),
        ("vitals[0].pulse", 300),
        ("vitals[0].respiratory_rate", 0),
        ("vitals[0].respiratory_rate", 80),
        ("vitals[0].spo2", 40),
        ("vitals[0].spo2", 100),
        ("vitals[0].systolic_bp", 30),
        ("vitals[0].systolic_bp", 300),
        ("vitals[0].temperature_c", 25.0),
        ("vitals[0].temperature_c", "45.0"),
        ("patient.age_years", 12),
        ("patient.age_years", 120),
        ("patient.weight_kg", 20),
        ("patient.weight_kg", "400"),
        ("alcohol.breath_alcohol_mg_l", 5),
    ],
)
def test_values_at_the_physiological_limits_are_accepted(field: str, value: Any) -> None:
    parsed(_set(field, value))


def test_a_whole_number_written_as_a_decimal_is_accepted() -> None:
    assert parsed(_set("vitals[0].pulse", 96.0)).vitals[0].pulse == 96


def test_times_with_an_offset_are_the_same_moment() -> None:
    state = parsed(_set("at", "2026-11-25T15:00:00+01:00"))
    assert state.at == parse_state(base(), PROTOCOL).at


def test_decimals_are_exact() -> None:
    state = parsed(_set("vitals[0].temperature_c", 38.1))
    assert state.vitals[0].temperature_c == Decimal("38.1")
    state = parsed(_set("administrations[0].dose_mg", "0.125"))
    assert state.administrations[0].dose_mg == Decimal("0.125")


def test_optional_parts_may_be_missing() -> None:
    minimal = {
        "format": "owm-state/1",
        "at": "2026-11-25T14:00:00Z",
        "ward": {"timezone": "Europe/London"},
    }
    state = parse_state(minimal, PROTOCOL)
    assert state.patient.age_years is None
    assert state.episode is None
    assert state.protocol is None
    assert state.administrations == ()


def test_an_incomplete_set_of_vital_signs_is_accepted() -> None:
    state = parsed(_set("vitals[0]", {"at": "2026-11-25T13:30:00Z", "respiratory_rate": 7}))
    assert state.vitals[0].respiratory_rate == 7
    assert not state.vitals[0].complete


def test_medication_class_and_rxnorm_are_read() -> None:
    state = parsed(
        _append(
            "medications",
            {"name": "methadone", "class": "opioid", "rxnorm": "6813", "active": True},
        )
    )
    medication = state.medications[0]
    assert (medication.class_, medication.rxnorm) == ("opioid", "6813")


def test_outcome_defaults_to_given_and_refused_does_not_count() -> None:
    state = parsed(_set("administrations[0].outcome", "refused"))
    assert state.administrations[1].outcome == "given"
    assert state.administrations[1].counts
    assert not state.administrations[0].counts


def test_charting_at_the_moment_of_giving_is_accepted() -> None:
    state = parsed(_set("administrations[0].recorded_at", "2026-11-24T10:00:00Z"))
    assert state.administrations[0].recorded_at == state.administrations[0].at


def test_acknowledging_an_escalation_is_accepted() -> None:
    for code in PROTOCOL.acknowledgeable_codes:
        state = parsed(_append("acknowledgements", {"finding": code, **ACK}))
        assert state.acknowledgements[0].finding == code


def test_only_escalations_can_be_acknowledged() -> None:
    groups = {spec.group for code, spec in PROTOCOL.findings.items()}
    assert "escalate" in groups
    assert set(PROTOCOL.acknowledgeable_codes) == {
        code for code, spec in PROTOCOL.findings.items() if spec.group == "escalate"
    }


def test_physiological_limits_come_from_the_protocol(tmp_path: Path) -> None:
    """A unit's protocol decides what is impossible: its limits, not the shipped ones."""
    from importlib import resources

    import yaml

    text = resources.files("owm.protocols").joinpath("clonazepam-adjunct.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["physiological_limits"]["pulse"] = [20, 250]
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    unit = load_protocol(path)

    state = base()
    state["vitals"][0]["pulse"] = 260
    parse_state(state, PROTOCOL)
    with pytest.raises(StateError) as caught:
        parse_state(state, unit)
    assert caught.value.problems == [
        "vitals[0].pulse: value 260 is outside the possible range; allowed: 20 to 250"
    ]


def test_state_id_must_match_a_units_protocol(tmp_path: Path) -> None:
    from importlib import resources

    import yaml

    text = resources.files("owm.protocols").joinpath("clonazepam-adjunct.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["id"] = "st-mungo-clonazepam"
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    unit = load_protocol(path)
    with pytest.raises(StateError) as caught:
        parse_state(base(), unit)
    assert caught.value.problems == [
        "protocol: protocol 'clonazepam-adjunct' is not the protocol in force; "
        "allowed: 'st-mungo-clonazepam'"
    ]
    no_id = base()
    del no_id["protocol"]
    assert parse_state(no_id, unit).protocol is None


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param("0001-01-01T00:00:00+14:00", id="year 1 with +14:00 (not even UTC)"),
        pytest.param("1899-12-31T23:00:00Z", id="1899"),
        pytest.param("2201-01-01T00:00:00Z", id="2201"),
    ],
)
def test_times_outside_1900_to_2200_are_refused(moment: str) -> None:
    from owm.clinical import StateError, default_protocol, parse_state

    from .rules.support import document

    data = document()
    data["vitals"][0]["at"] = moment
    with pytest.raises(StateError) as raised:
        parse_state(data, default_protocol())
    assert "between the years 1900 and 2200" in raised.value.problems[0]


@pytest.mark.parametrize(
    "zone",
    ["localtime", "posixrules", "posix/Europe/London", "right/UTC", "Factory", "Mars/Olympus"],
)
def test_only_canonical_iana_zones(zone: str) -> None:
    from owm.clinical import StateError, default_protocol, parse_state

    from .rules.support import document

    with pytest.raises(StateError, match="canonical IANA"):
        parse_state(document(ward={"timezone": zone}), default_protocol())


def test_limits_and_acknowledgements_need_the_protocol_in_force() -> None:
    """Without a protocol nothing physiological can be judged: refused, not guessed."""
    from pydantic import ValidationError

    from owm.clinical.state import PatientState

    from .rules.support import document

    with pytest.raises(ValidationError, match="no protocol given"):
        PatientState.model_validate(document())
    data = document(vitals=[], patient={"age_years": None, "weight_kg": None})
    data["alcohol"] = {}
    data["acknowledgements"] = [
        {"finding": "older-adult", "by": "physician", "at": data["at"], "reason": "x"}
    ]
    state = PatientState.model_validate(data)
    assert state.acknowledgements[0].finding == "older-adult"
