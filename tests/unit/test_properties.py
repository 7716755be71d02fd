"""Properties of every decision, over generated valid owm-state/1 documents.

The strategy builds realistic states (COWS and SOWS forms, vital signs inside the
protocol's physiological limits, sedation, clonazepam and other doses with their
outcomes at random times before the decision, medicines, acknowledgements of
escalations, wards in many time zones) and each test checks what must hold for
all of them: a `give` never breaks a dosing limit and never goes past a blocking
finding, every finding says which rule raised it and what it cites, and the
answer depends on the state only, not on how its lists happen to be ordered.

Example counts: 300 by default (CI); set HYPOTHESIS_PROFILE=thorough for 5000,
or =quick for 50 while working.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from owm.cli.evaluate import BadInput, read_json
from owm.clinical import StateError, default_protocol, evaluate, parse_state
from owm.clinical.instruments import COWS, OOWS, SOWS, Instrument
from owm.clinical.protocol import FINDING_GROUPS
from owm.clinical.state import (
    ALLERGIES,
    CONDITIONS,
    HISTORY,
    MEDICATION_CLASSES,
    OTHER_BENZODIAZEPINES,
    SIDE_EFFECTS,
    SYMPTOMS,
)

from . import oracle

PROTOCOL = default_protocol()
DOSING = PROTOCOL.dosing

_EXAMPLES = {"quick": 50, "ci": 300, "thorough": 5000}
_profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SETTINGS = settings(
    max_examples=_EXAMPLES.get(_profile, 300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "UTC",
)
# How the same instant may be written: Z, or an offset (the format accepts any offset).
OFFSETS = (
    None,
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=8)),
)
STRENGTHS = ("0.125", "0.25", "0.5", "0.75", "1", "1.5", "2")
# Values either side of the spec's thresholds (emergency, respiratory depression, NEWS2).
EDGES = {
    "respiratory_rate": (8, 9, 10, 11, 12, 20, 21, 24, 25),
    "spo2": (91, 92, 93, 94, 95, 96),
    "systolic_bp": (90, 91, 100, 101, 110, 111, 219, 220),
    "pulse": (40, 41, 50, 51, 90, 91, 110, 111, 130, 131),
}


def iso(moment: datetime, offset: timezone | None) -> str:
    if offset is None:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.astimezone(offset).isoformat()


@st.composite
def form(draw: st.DrawFn, instrument: Instrument) -> dict[str, int]:
    """A complete form; now and then a severe one (COWS above 36 is otherwise rare)."""
    severe = draw(st.integers(0, 7)) == 0
    return {
        item.key: draw(st.sampled_from(item.allowed[-2:] if severe else item.allowed))
        for item in instrument.items
    }


@st.composite
def vital_signs(draw: st.DrawFn, when: str, *, normal: bool) -> dict[str, Any]:
    """A set of vital signs inside the physiological limits; `normal` ones score NEWS2 0
    (or, now and then, have one value anywhere in its range)."""
    limits = PROTOCOL.physiological_limits

    def value(name: str, usual: tuple[int, int]) -> int:
        low, high = (int(v) for v in limits[name])
        if normal:
            return draw(st.integers(*usual))
        return draw(st.integers(low, high) | st.sampled_from(EDGES[name]))

    low_t, high_t = (str(v) for v in limits["temperature_c"])
    record: dict[str, Any] = {
        "at": when,
        "respiratory_rate": value("respiratory_rate", (12, 20)),
        "spo2": value("spo2", (96, 100)),
        "oxygen": False if normal else draw(st.booleans()),
        "systolic_bp": value("systolic_bp", (111, 219)),
        "pulse": value("pulse", (51, 90)),
        "consciousness": "alert"
        if normal
        else draw(st.sampled_from(["alert", "confusion", "voice", "pain", "unresponsive"])),
        "temperature_c": draw(
            st.decimals("36.1", "38.0", places=1)
            if normal
            else st.decimals(low_t, high_t, places=1)
        ),
    }
    if normal and draw(st.integers(0, 3)) == 0:  # one value off: NEWS2 low to urgent
        name = draw(st.sampled_from(["respiratory_rate", "spo2", "systolic_bp", "pulse"]))
        low, high = (int(v) for v in limits[name])
        record[name] = draw(st.integers(low, high) | st.sampled_from(EDGES[name]))
    if not normal and draw(st.integers(0, 3)) == 0:  # now and then an incomplete set
        measured = sorted(set(record) - {"at"})
        for name in draw(st.lists(st.sampled_from(measured), min_size=1, max_size=3)):
            record.pop(name, None)
    if "temperature_c" in record:  # JSON number or decimal string, both allowed
        temp = record["temperature_c"]
        record["temperature_c"] = draw(st.sampled_from([float(temp), str(temp)]))
    return record


@st.composite
def clonazepam_history(draw: st.DrawFn, at: datetime, *, calm: bool) -> list[tuple[datetime, str]]:
    """Clonazepam doses: a schedule at least 6 h apart (often right at a limit), or random times."""
    if not calm and draw(st.booleans()):
        return [
            (
                at - timedelta(minutes=draw(st.integers(-60, 10 * 24 * 60))),
                draw(st.sampled_from(STRENGTHS)),
            )
            for _ in range(draw(st.integers(0, 12)))
        ]
    interval = timedelta(hours=float(DOSING.min_interval_hours))
    if calm:
        gap = draw(
            st.sampled_from([interval, interval + timedelta(minutes=1)])
            | st.integers(6 * 60, 60 * 60).map(lambda m: timedelta(minutes=m))
        )
    else:
        gap = draw(st.sampled_from([interval - timedelta(minutes=1), timedelta(hours=1)]))
    last = at - gap
    doses = []
    moment = last
    for _ in range(draw(st.integers(0, 12))):
        doses.append((moment, draw(st.sampled_from(["0.5", "0.5", "1", "2", "0.125", "0.25"]))))
        moment -= interval + timedelta(minutes=draw(st.sampled_from([0, 0, 30, 120, 360, 600])))
    return doses


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 3 * 365 * 24 * 60))
    )
    offset = draw(st.sampled_from(OFFSETS))

    def when(low_hours: float, high_hours: float) -> str:
        """A moment between `low_hours` and `high_hours` before the decision (negative: after)."""
        minutes = draw(st.integers(int(low_hours * 60), int(high_hours * 60)))
        return iso(at - timedelta(minutes=minutes), offset)

    fresh = float(PROTOCOL.windows.freshness_hours)
    calm = draw(st.integers(0, 2)) > 0  # most patients have nothing that blocks a dose

    patient: dict[str, Any] = {
        "age_years": draw(
            (st.integers(18, 64) | st.integers(60, 95))
            if calm
            else st.none() | st.integers(12, 120)
        ),
        "sex": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "weight_kg": draw(st.integers(40, 150)),
        "pregnant": draw(
            st.sampled_from([False, False, False, None]) if calm else st.none() | st.booleans()
        ),
        "conditions": draw(
            st.lists(
                st.sampled_from(["epilepsy", "renal-impairment", "copd", "mild-liver-disease"]),
                max_size=2,
            )
            if calm
            else st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True)
        ),
        "allergies": [] if calm else draw(st.lists(st.sampled_from(ALLERGIES), max_size=1)),
        "history": []
        if calm
        else draw(st.lists(st.sampled_from(HISTORY), max_size=2, unique=True)),
    }
    state: dict[str, Any] = {
        "format": "owm-state/1",
        "at": iso(at, offset),
        "ward": {"timezone": draw(st.sampled_from(ZONES))},
        "patient": patient,
    }
    if draw(st.booleans()):
        state["protocol"] = PROTOCOL.id
    if draw(st.booleans()):
        state["episode"] = {
            "started_at": when(0, 240),
            "setting": draw(st.sampled_from(["inpatient", "residential", "outpatient"])),
        }
    alcohol = draw(alcohol_records(when, calm))
    if alcohol is not None:
        state["alcohol"] = alcohol
    classes = ["other", "alpha2-agonist", "cyp3a-inducer"] if calm else list(MEDICATION_CLASSES)
    names = ["methadone", "pregabalin", "clonidine", "sertraline", "ritonavir", "zolvenaxil"]
    state["medications"] = [
        {
            "name": draw(st.sampled_from(names)),
            "class": draw(st.sampled_from(classes)),
            "active": draw(st.booleans()),
            **({"changed_at": when(-2, 72)} if draw(st.booleans()) else {}),
            **(
                {"rxnorm": draw(st.sampled_from(["6813", "187832", "2599", "99999999"]))}
                if draw(st.integers(0, 3)) == 0
                else {}
            ),
            **({"classified_by": "pharmacist"} if draw(st.integers(0, 3)) == 0 else {}),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]

    # COWS: in a calm state the latest is recent; older ones (and ignored later ones) around it
    assessments = [
        {"instrument": "COWS", "at": when(0, fresh), "items": draw(form(COWS))}
        for _ in range(1 if calm else draw(st.integers(0, 1)))
    ]
    assessments += [
        {"instrument": "COWS", "at": when(-3 if not calm else fresh, 72), "items": draw(form(COWS))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    for instrument in (SOWS, OOWS):
        if draw(st.integers(0, 3)) == 0:
            assessments.append(
                {"instrument": instrument.code, "at": when(-1, 8), "items": draw(form(instrument))}
            )
    state["assessments"] = assessments

    vitals = [draw(vital_signs(when(0, fresh), normal=True))] if calm else []
    vitals += [
        draw(
            vital_signs(when(fresh if calm else -1, 8 if calm else 12), normal=draw(st.booleans()))
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    state["vitals"] = vitals

    poss = ["S", "1", "2"] if calm else ["S", "1", "2", "3", "4"]
    rass = (
        ["+1", "0", "-1", "1", "+2"]
        if calm
        else ["+4", "3", "+1", "0", "-1", "-2", "-3", "-4", "-5"]
    )
    state["sedation"] = [
        {
            "at": when(0, fresh) if calm and i == 0 else when(-1, 6),
            "scale": scale,
            "level": draw(st.sampled_from(poss if scale == "POSS" else rass)),
        }
        for i, scale in enumerate(
            draw(st.lists(st.sampled_from(["POSS", "RASS"]), min_size=1 if calm else 0, max_size=3))
        )
    ]
    state["symptoms"] = [
        {"at": when(-1, 16), "code": draw(st.sampled_from(SYMPTOMS))}
        for _ in range(draw(st.integers(0, 3)))
    ]

    outcomes = ["given", "given", "given", "partial", "vomited", "refused"]
    administrations = []
    for given_at, dose in draw(clonazepam_history(at, calm=calm)):
        record: dict[str, Any] = {
            "drug": "clonazepam",
            "dose_mg": dose,
            "at": iso(given_at, offset),
        }
        if draw(st.integers(0, 3)) == 0:
            record["outcome"] = draw(st.sampled_from(outcomes))
        if draw(st.booleans()):
            record["route"] = draw(st.sampled_from(["oral", "sublingual"]))
        if draw(st.booleans()):
            charted = given_at + timedelta(minutes=draw(st.integers(0, 150)))
            record["recorded_at"] = iso(charted, offset)
        administrations.append(record)
    others = ["loperamide", "clonidine", "ibuprofen"]
    if not calm:
        others += OTHER_BENZODIAZEPINES
    for _ in range(draw(st.integers(0, 2))):
        administrations.append(
            {
                "drug": draw(st.sampled_from(others)),
                "dose_mg": draw(st.sampled_from(["2", "4", "10", "400"])),
                "at": when(-1, 48),
                "outcome": draw(st.sampled_from(outcomes)),
            }
        )
    state["administrations"] = administrations
    state["side_effects"] = [
        {"at": when(-1, 72), "code": draw(st.sampled_from(SIDE_EFFECTS))}
        for _ in range(draw(st.integers(0, 2)))
    ]
    state["acknowledgements"] = [
        {
            "finding": draw(st.sampled_from(PROTOCOL.acknowledgeable_codes)),
            "by": "physician",
            "at": when(-1, 96),
            "reason": "reviewed; monitored bed",
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    draw(holds_and_unmapped(state, when, calm))
    draw(same_time_records(state))
    return state


@st.composite
def alcohol_records(
    draw: st.DrawFn, when: Callable[[float, float], str], calm: bool
) -> dict[str, Any] | None:
    """The alcohol block: a drink, a breath test, none reported, or nothing known."""
    alcohol_hours = float(PROTOCOL.windows.alcohol_hours)
    alcohol: dict[str, Any] = {
        "last_drink_at": draw(
            st.none() | st.just(when(alcohol_hours + 0.1, 500) if calm else when(-2, 48))
        ),
        "breath_alcohol_mg_l": draw(
            st.sampled_from([0, 0.0, "0", None] if calm else [0, 0.1, "0.35", None])
        ),
    }
    if calm and not any(v is not None for v in alcohol.values()):
        alcohol["none_reported"] = True
    elif draw(st.integers(0, 3)) == 0:
        alcohol["none_reported"] = draw(st.booleans())
    if not calm and draw(st.integers(0, 9)) == 0:
        return None
    return alcohol


@st.composite
def holds_and_unmapped(
    draw: st.DrawFn, state: dict[str, Any], when: Callable[[float, float], str], calm: bool
) -> None:
    """Now and then a nurse's hold, and (in a troubled state) a record an import could not map."""
    if draw(st.integers(0, 12 if calm else 4)) == 0:
        state["holds"] = [
            {"at": when(-1, 8), "reason": "held by the nurse"}
            for _ in range(draw(st.integers(1, 2)))
        ]
    if not calm and draw(st.integers(0, 5)) == 0:
        state["unmapped"] = [{"kind": "condition", "text": "Condition/1: sleep apnoea (SNOMED)"}]


@st.composite
def same_time_records(draw: st.DrawFn, state: dict[str, Any]) -> None:
    """Now and then a second record of a kind at the very moment of another (revision 2)."""
    for key in ("sedation", "vitals", "assessments"):
        records = state.get(key) or []
        if records and draw(st.integers(0, 2)) == 0:
            twin = dict(draw(st.sampled_from(records)))
            if key == "sedation":
                twin["level"] = draw(
                    st.sampled_from(["S", "1", "2", "3", "4"])
                    if twin["scale"] == "POSS"
                    else st.sampled_from(["+2", "1", "0", "-1", "-2", "-3", "-4"])
                )
            elif key == "vitals":
                twin = draw(vital_signs(twin["at"], normal=draw(st.booleans())))
            else:
                instrument = {"COWS": COWS, "SOWS": SOWS, "OOWS": OOWS}[twin["instrument"]]
                twin["items"] = draw(form(instrument))
            records.append(twin)


# -- an independent reading of the doses that count (clinical spec section 7) -----------


def counted_clonazepam(state: Any) -> list[tuple[datetime, Decimal]]:
    return sorted(
        (a.at, a.dose_mg)
        for a in state.administrations
        if a.drug == "clonazepam" and a.outcome != "refused" and a.at <= state.at
    )


BLOCKING = {"emergency", "contraindicated", "hold", "escalate", "not-indicated"}


@SETTINGS
@given(states())
def test_a_give_respects_every_limit_and_every_blocking_finding(data: dict[str, Any]) -> None:
    state = parse_state(data, PROTOCOL)
    answer = evaluate(state, PROTOCOL)
    document = answer.to_json()

    # every finding names its rule and its source, as the protocol gives them
    for finding in document["findings"]:
        spec = PROTOCOL.findings[finding["code"]]
        assert finding["rule"] == spec.rule
        assert finding["source"] and finding["source"] == PROTOCOL.source_text(finding["code"])
        assert finding["severity"] in ("critical", "warning", "info")
        assert finding["message"].strip()
    event(f"action: {answer.action}")
    codes = [f["code"] for f in document["findings"]]
    assert len(codes) == len(set(codes))  # each code at most once

    # the JSON answer survives a round trip unchanged
    assert json.loads(json.dumps(document)) == document
    assert (answer.action == "emergency") == bool(answer.checklist)
    assert answer.course_day >= 1
    assert answer.remaining_24h_mg <= DOSING.daily_max_mg

    if answer.action != "give":
        assert "dose_mg" not in document
        return

    dose = answer.dose_mg
    assert dose is not None
    assert Decimal(document["dose_mg"]) == dose
    assert 0 < dose <= DOSING.max_single_mg
    assert dose % DOSING.smallest_strength_mg == 0

    doses = counted_clonazepam(state)
    window_start = state.at - timedelta(hours=24)
    total = sum((mg for when, mg in doses if window_start < when <= state.at), Decimal(0))
    assert total + dose <= DOSING.daily_max_mg
    assert answer.remaining_24h_mg == DOSING.daily_max_mg - total - dose
    if doses:
        assert state.at - doses[-1][0] >= timedelta(hours=float(DOSING.min_interval_hours))

    # no blocking finding stands: an escalation only when acknowledged, as a warning
    for finding in document["findings"]:
        group = FINDING_GROUPS[finding["code"]]
        if group in BLOCKING:
            assert group == "escalate" and finding.get("acknowledged") is True, finding
            assert finding["severity"] == "warning"

    # independent of the findings: things that must stop a dose
    patient = state.patient
    assert "benzodiazepines" not in patient.allergies
    assert "significant-liver-disease" not in patient.conditions
    assert not {"sleep-apnoea", "severe-respiratory-insufficiency"} & set(patient.conditions)
    acknowledged = {a.finding for a in state.acknowledgements if a.at <= state.at}
    if patient.pregnant:
        assert "pregnancy" in acknowledged
    if patient.age_years is not None and patient.age_years >= PROTOCOL.thresholds.older_adult_age:
        assert "older-adult" in acknowledged
    if any(m.active and m.class_ == "opioid" for m in state.medications):
        assert "opioid-benzodiazepine" in acknowledged
    if state.alcohol.last_drink_at is not None and state.alcohol.last_drink_at <= state.at:
        hours_ago = state.at - state.alcohol.last_drink_at
        assert hours_ago > timedelta(hours=float(PROTOCOL.windows.alcohol_hours))
    recent = timedelta(hours=float(PROTOCOL.windows.freshness_hours))
    cows = [a for a in state.assessments if a.instrument == "COWS" and a.at <= state.at]
    assert cows and state.at - max(a.at for a in cows) <= recent
    assert answer.checklist == ()


@SETTINGS
@given(states(), st.randoms(use_true_random=False))
def test_the_answer_depends_on_the_state_not_on_list_order(
    data: dict[str, Any], rng: random.Random
) -> None:
    first = evaluate(parse_state(data, PROTOCOL), PROTOCOL).to_json()
    again = evaluate(parse_state(data, PROTOCOL), PROTOCOL).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)

    shuffled = json.loads(json.dumps(data))
    for key in (
        "medications",
        "assessments",
        "vitals",
        "sedation",
        "symptoms",
        "administrations",
        "side_effects",
        "acknowledgements",
        "holds",
    ):
        rng.shuffle(shuffled.get(key, []))
    for key in ("conditions", "allergies", "history"):
        rng.shuffle(shuffled["patient"][key])
    answer = evaluate(parse_state(shuffled, PROTOCOL), PROTOCOL).to_json()
    assert json.dumps(answer, sort_keys=True) == json.dumps(first, sort_keys=True)


# -- an oracle of its own: the spec read again, from the raw document ---------------------


@SETTINGS
@given(states())
def test_the_answer_is_the_one_an_independent_reading_of_the_spec_gives(
    data: dict[str, Any],
) -> None:
    """Action, every blocking finding, acknowledgements, NEWS2 and the dose, against
    `tests/unit/oracle.py` (sedation, emergency vital signs, NEWS2, escalations and
    missing data written from the spec, not from owm's findings). A rule that fails to
    fire, or fires where the spec says nothing, fails here."""
    spec = oracle.expected(data)
    answer = evaluate(parse_state(data, PROTOCOL), PROTOCOL)
    event(f"expected action: {spec.action}")
    blocking = {f.code for f in answer.findings if f.group != "none"}
    acknowledged = {f.code for f in answer.findings if f.acknowledged}
    assert blocking == spec.blocking, (sorted(blocking), sorted(spec.blocking))
    assert acknowledged == spec.acknowledged, (sorted(acknowledged), sorted(spec.acknowledged))
    assert answer.action == spec.action
    if spec.news2 is not None:
        assert answer.news2 is not None and answer.news2["score"] == spec.news2
    assert answer.dose_mg == spec.dose


# -- raw JSON text through the CLI's reader --------------------------------------------

MUTATIONS = st.sampled_from(
    [
        "none",
        "duplicate key",
        "long integer",
        "deep",
        "nan",
        "truncate",
        "huge exponent",
        "lone surrogate",
        "bytes",
    ]
)


def _mutate(text: str, how: str, draw: st.DataObject) -> bytes:
    if how == "duplicate key":
        return text.replace('"at": ', '"at": "2026-01-01T00:00:00Z", "at": ', 1).encode()
    if how == "long integer":
        return text.replace('"weight_kg": ', '"weight_kg": 1234567890123456', 1).encode()
    if how == "deep":
        depth = draw.draw(st.integers(60, 3000))
        return ("[" * depth + text + "]" * depth).encode()
    if how == "nan":
        return text.replace('"weight_kg": ', '"weight_kg": NaN, "x": ', 1).encode()
    if how == "truncate":
        return text[: draw.draw(st.integers(0, max(len(text) - 1, 0)))].encode()
    if how == "huge exponent":
        return text.replace('"weight_kg": ', '"weight_kg": 1e400, "y": ', 1).encode()
    if how == "lone surrogate":
        return text.replace('"format"', '"\\udc00", "format"', 1).encode()
    if how == "bytes":
        raw = bytearray(text.encode())
        for _ in range(draw.draw(st.integers(1, 4))):
            raw.insert(draw.draw(st.integers(0, len(raw))), draw.draw(st.integers(0, 255)))
        return bytes(raw)
    return text.encode()


@settings(SETTINGS, max_examples=max(SETTINGS.max_examples // 3, 20))
@given(states(), MUTATIONS, st.data())
def test_raw_json_through_the_cli_reader_is_decided_or_refused_never_crashes(
    data: dict[str, Any], how: str, draw: st.DataObject
) -> None:
    """The bytes `owm evaluate` reads, mutated as a broken exporter would: read by the
    CLI's own reader (`evaluate_command.read_json`), then parsed and decided. Only a
    BadInput (exit 2 with a message) or an answer may come out; an unmutated document
    gives the same answer as the decoded one."""
    raw = _mutate(json.dumps(data), how, draw)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
        file.write(raw)
    try:
        try:
            document = read_json(file.name)
        except BadInput as error:
            assert str(error).strip()
            assert how != "none"
            return
    finally:
        os.unlink(file.name)
    if not isinstance(document, dict):
        return
    try:
        state = parse_state(document, PROTOCOL)
    except StateError as error:
        assert error.problems and how != "none"
        return
    answer = evaluate(state, PROTOCOL).to_json()
    if how == "none":
        assert answer == evaluate(parse_state(data, PROTOCOL), PROTOCOL).to_json()


# -- any document: a decision or a StateError, never a crash ----------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "NaN", "2026-11-25T14:00:00", "2026-11-25T14:00:00Z", "+1", "0.5"])
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value can be put (object keys and list items)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


@SETTINGS
@given(states(), st.data())
def test_any_change_to_a_state_is_decided_or_refused_with_a_path(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    document = json.loads(json.dumps(data))
    for _ in range(draw.draw(st.integers(1, 3))):
        path = draw.draw(st.sampled_from(_paths(document)))
        target: Any = document
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict) and draw.draw(st.booleans()):
            target[draw.draw(st.text(min_size=1, max_size=8))] = draw.draw(JSON_VALUES)
        else:
            target[path[-1]] = draw.draw(JSON_VALUES)
    try:
        state = parse_state(document, PROTOCOL)
    except StateError as error:
        assert error.problems
        for problem in error.problems:
            path_text, sep, message = problem.partition(": ")
            assert sep and path_text and message.strip(), problem
        return
    answer = evaluate(state, PROTOCOL).to_json()
    assert json.loads(json.dumps(answer)) == answer
