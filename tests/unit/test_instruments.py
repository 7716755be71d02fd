"""The instruments as the clinical spec (section 2) defines them: items, values, anchors, bands.

Bands are checked on both sides of every boundary; NEWS2 on both sides of every
parameter boundary of the RCP chart, SpO2 scale 2 included, and at the edges of
each clinical response.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from owm.clinical.instruments import (
    COWS,
    INSTRUMENTS,
    OOWS,
    POSS,
    RASS,
    SOWS,
    Instrument,
    band_for,
    cows_resting_pulse,
    news2,
    score,
)


def items_totalling(instrument: Instrument, total: int) -> dict[str, int]:
    """A complete, valid form whose total is `total` (greedy over the allowed values)."""
    values = {item.key: 0 for item in instrument.items}
    left = total
    for item in instrument.items:
        best = max((v for v in item.allowed if v <= left), default=0)
        values[item.key] = best
        left -= best
    for item in instrument.items:  # fill what greedy left with smaller steps
        for v in sorted(item.allowed):
            extra = v - values[item.key]
            if 0 < extra <= left:
                values[item.key] = v
                left -= extra
    assert left == 0, f"cannot make {total} on {instrument.code}"
    return values


# -- COWS -----------------------------------------------------------------------------

COWS_ALLOWED = {
    "resting_pulse": (0, 1, 2, 4),
    "sweating": (0, 1, 2, 3, 4),
    "restlessness": (0, 1, 3, 5),
    "pupil_size": (0, 1, 2, 5),
    "bone_joint_aches": (0, 1, 2, 4),
    "runny_nose_tearing": (0, 1, 2, 4),
    "gi_upset": (0, 1, 2, 3, 5),
    "tremor": (0, 1, 2, 4),
    "yawning": (0, 1, 2, 4),
    "anxiety_irritability": (0, 1, 2, 4),
    "gooseflesh": (0, 3, 5),
}


def test_cows_items_and_allowed_values_are_the_spec_s() -> None:
    assert {item.key: item.allowed for item in COWS.items} == COWS_ALLOWED
    assert COWS.item_keys == tuple(COWS_ALLOWED)  # the form's order
    assert COWS.max_total == 48


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (12, "mild"),
        (13, "moderate"),
        (24, "moderate"),
        (25, "moderately-severe"),
        (36, "moderately-severe"),
        (37, "severe"),
        (48, "severe"),
    ],
)
def test_cows_bands_either_side_of_each_boundary(total: int, band: str) -> None:
    items = items_totalling(COWS, total)
    assert score(COWS, items) == total
    assert band_for(COWS, total) == band


def test_cows_bands_cover_every_total_once() -> None:
    for total in range(COWS.max_total + 1):
        assert sum(b.low <= total <= b.high for b in COWS.bands) == 1


# -- SOWS and OOWS --------------------------------------------------------------------

SOWS_ITEMS = (
    "anxious",
    "yawning",
    "perspiring",
    "eyes_tearing",
    "nose_running",
    "goose_flesh",
    "shaking",
    "hot_flushes",
    "cold_flushes",
    "bones_and_muscles_ache",
    "restless",
    "nauseous",
    "like_vomiting",
    "muscles_twitch",
    "stomach_cramps",
    "craving_to_use_now",
)
OOWS_ITEMS = (
    "yawning",
    "rhinorrhoea",
    "piloerection",
    "perspiration",
    "lacrimation",
    "tremor",
    "mydriasis",
    "hot_and_cold_flushes",
    "restlessness",
    "vomiting",
    "muscle_twitches",
    "abdominal_cramps",
    "anxiety",
)


def test_sows_items_values_and_anchors() -> None:
    assert SOWS.item_keys == SOWS_ITEMS
    for item in SOWS.items:
        assert item.anchors == (
            (0, "not at all"),
            (1, "a little"),
            (2, "moderately"),
            (3, "quite a bit"),
            (4, "extremely"),
        )
    assert SOWS.max_total == 64


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (1, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (20, "moderate"),
        (21, "severe"),
        (64, "severe"),
    ],
)
def test_sows_bands_either_side_of_each_boundary(total: int, band: str) -> None:
    items = items_totalling(SOWS, total)
    assert score(SOWS, items) == total
    assert band_for(SOWS, total) == band


def test_oows_items_are_present_or_absent_and_have_no_bands() -> None:
    assert OOWS.item_keys == OOWS_ITEMS
    assert all(item.allowed == (0, 1) for item in OOWS.items)
    assert OOWS.max_total == 13
    for total in (0, 1, 12, 13):
        assert score(OOWS, items_totalling(OOWS, total)) == total
        assert band_for(OOWS, total) is None


def test_instruments_by_code() -> None:
    assert INSTRUMENTS == {"COWS": COWS, "SOWS": SOWS, "OOWS": OOWS}


# -- anchors --------------------------------------------------------------------------


@pytest.mark.parametrize("instrument", [COWS, SOWS, OOWS], ids=lambda i: i.code)
def test_every_allowed_value_has_an_anchor_text(instrument: Instrument) -> None:
    for item in instrument.items:
        assert item.label.strip()
        values = [value for value, _ in item.anchors]
        assert values == sorted(set(values)), item.key  # each value once, in order
        assert values[0] == 0, item.key
        for value, text in item.anchors:
            assert text.strip(), (item.key, value)


def test_cows_anchor_texts_match_the_form() -> None:
    pulse = dict(COWS.item("resting_pulse").anchors)
    assert pulse == {
        0: "pulse rate 80 or below",
        1: "pulse rate 81-100",
        2: "pulse rate 101-120",
        4: "pulse rate greater than 120",
    }
    assert dict(COWS.item("gooseflesh").anchors)[5] == "prominent piloerection"
    with pytest.raises(KeyError):
        COWS.item("heart_rate")


def test_sedation_scales_have_every_level_with_an_anchor() -> None:
    assert POSS.allowed == ("S", "1", "2", "3", "4")
    assert RASS.allowed == ("4", "3", "2", "1", "0", "-1", "-2", "-3", "-4", "-5")
    for scale in (POSS, RASS):
        for level, text in scale.levels:
            assert text.strip(), (scale.code, level)
    assert "unacceptable" in dict(POSS.levels)["3"]
    assert "unacceptable" in dict(POSS.levels)["4"]


# -- score() refuses partial or impossible forms ---------------------------------------


def test_score_refuses_a_missing_item() -> None:
    items = items_totalling(COWS, 10)
    del items["tremor"]
    with pytest.raises(ValueError, match="COWS item 'tremor' is missing"):
        score(COWS, items)


def test_score_refuses_an_unknown_item() -> None:
    items = {**items_totalling(COWS, 10), "sneezing": 1}
    with pytest.raises(ValueError, match="COWS has no item 'sneezing'; items are resting_pulse"):
        score(COWS, items)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in COWS_ALLOWED.items() for v in vs])
def test_score_accepts_every_allowed_cows_value(key: str, value: int) -> None:
    items = {k: 0 for k in COWS_ALLOWED}
    items[key] = value
    assert score(COWS, items) == value


@pytest.mark.parametrize(
    ("key", "value"),
    [(k, v) for k, vs in COWS_ALLOWED.items() for v in range(-1, 7) if v not in vs],
)
def test_score_refuses_every_other_cows_value(key: str, value: int) -> None:
    items = {k: 0 for k in COWS_ALLOWED}
    items[key] = value
    allowed = ", ".join(str(v) for v in COWS_ALLOWED[key])
    with pytest.raises(ValueError) as caught:
        score(COWS, items)
    assert str(caught.value) == (
        f"COWS item {key!r} value {value!r} is not allowed; allowed: {allowed}"
    )


# -- NEWS2 ----------------------------------------------------------------------------

NORMAL: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 97,
    "oxygen": False,
    "systolic_bp": 130,
    "pulse": 70,
    "consciousness": "alert",
    "temperature_c": Decimal("37.0"),
}


def points(parameter: str, value: Any, **extra: Any) -> int:
    result = news2(**{**NORMAL, parameter: value, **extra})
    return result.parameters[parameter]


def test_normal_observations_score_zero() -> None:
    result = news2(**NORMAL)
    assert (result.score, result.response) == (0, "low")
    assert set(result.parameters.values()) == {0}


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)],
)
def test_respiration_rate(rate: int, expected: int) -> None:
    assert points("respiratory_rate", rate) == expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [(40, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
def test_spo2_scale_1(spo2: int, expected: int) -> None:
    assert points("spo2", spo2) == expected
    # on scale 1 oxygen does not change the SpO2 points, only adds its own 2
    assert points("spo2", spo2, oxygen=True) == expected


@pytest.mark.parametrize(
    ("spo2", "oxygen", "expected"),
    [
        (83, False, 3),
        (84, False, 2),
        (85, False, 2),
        (86, False, 1),
        (87, False, 1),
        (88, False, 0),
        (92, False, 0),
        (93, False, 0),  # on air: 93 and above score 0
        (97, False, 0),
        (100, False, 0),
        (83, True, 3),
        (88, True, 0),
        (92, True, 0),
        (93, True, 1),  # on oxygen: above the target range scores again
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
    ],
)
def test_spo2_scale_2(spo2: int, oxygen: bool, expected: int) -> None:
    result = news2(**{**NORMAL, "spo2": spo2, "oxygen": oxygen}, spo2_scale=2)
    assert result.parameters["spo2"] == expected


@pytest.mark.parametrize(("oxygen", "expected"), [(False, 0), (True, 2)])
def test_supplemental_oxygen(oxygen: bool, expected: int) -> None:
    assert points("oxygen", oxygen) == expected
    result = news2(**{**NORMAL, "oxygen": oxygen}, spo2_scale=2)
    assert result.parameters["oxygen"] == expected


@pytest.mark.parametrize(
    ("systolic", "expected"),
    [
        (30, 3),
        (90, 3),
        (91, 2),
        (100, 2),
        (101, 1),
        (110, 1),
        (111, 0),
        (219, 0),
        (220, 3),
        (300, 3),
    ],
)
def test_systolic_blood_pressure(systolic: int, expected: int) -> None:
    assert points("systolic_bp", systolic) == expected


@pytest.mark.parametrize(
    ("pulse", "expected"),
    [
        (0, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
        (250, 3),
    ],
)
def test_pulse(pulse: int, expected: int) -> None:
    assert points("pulse", pulse) == expected


@pytest.mark.parametrize(
    ("consciousness", "expected"),
    [("alert", 0), ("confusion", 3), ("voice", 3), ("pain", 3), ("unresponsive", 3)],
)
def test_consciousness(consciousness: str, expected: int) -> None:
    assert points("consciousness", consciousness) == expected


@pytest.mark.parametrize(
    ("celsius", "expected"),
    [
        ("25.0", 3),
        ("35.0", 3),
        ("35.1", 1),
        ("36.0", 1),
        ("36.1", 0),
        ("38.0", 0),
        ("38.1", 1),
        ("39.0", 1),
        ("39.1", 2),
        ("42.0", 2),
    ],
)
def test_temperature(celsius: str, expected: int) -> None:
    assert points("temperature_c", Decimal(celsius)) == expected


@pytest.mark.parametrize(
    ("changes", "score", "response"),
    [
        ({"pulse": 91, "temperature_c": Decimal("38.1")}, 2, "low"),
        # 4: still low
        ({"respiratory_rate": 21, "pulse": 111}, 4, "low"),
        # a single 3 alone: urgent although the total is low
        ({"respiratory_rate": 25}, 3, "urgent"),
        ({"consciousness": "confusion"}, 3, "urgent"),
        # 5 and 6 without a single 3: urgent
        ({"respiratory_rate": 21, "pulse": 111, "temperature_c": Decimal("38.1")}, 5, "urgent"),
        ({"respiratory_rate": 21, "pulse": 111, "oxygen": True}, 6, "urgent"),
        # 7: emergency
        (
            {"respiratory_rate": 21, "pulse": 111, "oxygen": True, "temperature_c": Decimal("39")},
            7,
            "emergency",
        ),
        ({"respiratory_rate": 25, "spo2": 91, "consciousness": "voice"}, 9, "emergency"),
    ],
)
def test_response_levels(changes: dict[str, Any], score: int, response: str) -> None:
    result = news2(**{**NORMAL, **changes})
    assert (result.score, result.response) == (score, response)
    assert result.any_single_three == (3 in result.parameters.values())


def test_the_highest_possible_score_is_twenty() -> None:
    worst = news2(
        respiratory_rate=30,
        spo2=85,
        oxygen=True,
        systolic_bp=80,
        pulse=140,
        consciousness="unresponsive",
        temperature_c=Decimal("34.0"),
    )
    assert (worst.score, worst.response) == (20, "emergency")


def test_score_names_every_missing_item() -> None:
    with pytest.raises(ValueError) as caught:
        score(COWS, {"tremor": 1, "yawning": 0})
    assert str(caught.value) == (
        "COWS items resting_pulse, sweating, restlessness, pupil_size, bone_joint_aches, "
        "runny_nose_tearing, gi_upset, anxiety_irritability, gooseflesh are missing"
    )


@pytest.mark.parametrize(
    ("pulse", "value"),
    [(40, 0), (80, 0), (81, 1), (100, 1), (101, 2), (120, 2), (121, 4), (200, 4)],
)
def test_cows_resting_pulse_from_a_measured_pulse(pulse: int, value: int) -> None:
    assert cows_resting_pulse(pulse) == value
    assert value in COWS.item("resting_pulse").allowed
