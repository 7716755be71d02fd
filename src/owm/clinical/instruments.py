"""The bedside instruments owm scores, as data.

Why data and not code: the same definitions drive validation of incoming
states, the nurse's forms (every value's anchor text), printed downtime forms
and the scoring itself, so a value allowed on the form is exactly a value
the scorer accepts.

Sources: COWS (Wesson & Ling 2003, SAMHSA TIP 45); SOWS and OOWS (Handelsman
1987; SOWS bands operational as in CTN-0051); POSS (Pasero 2009); RASS
(Sessler 2002); NEWS2 (Royal College of Physicians 2017).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

__all__ = [
    "COWS",
    "INSTRUMENTS",
    "NEWS2_RESPONSES",
    "OOWS",
    "POSS",
    "RASS",
    "SOWS",
    "Band",
    "Instrument",
    "Item",
    "News2Result",
    "SedationScale",
    "band_for",
    "cows_resting_pulse",
    "news2",
    "news2_points",
    "score",
]


@dataclass(frozen=True, slots=True)
class Item:
    """One item of an instrument: its key, its label and every allowed value's anchor."""

    key: str
    label: str
    anchors: tuple[tuple[int, str], ...]
    allowed: tuple[int, ...] = field(init=False, compare=False)  # the anchors' values

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", tuple(value for value, _ in self.anchors))


@dataclass(frozen=True, slots=True)
class Band:
    """A named range of totals, inclusive at both ends."""

    name: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Instrument:
    """A withdrawal scale: items whose values add up to a total, and bands of totals."""

    code: str
    title: str
    source: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    # derived once: every state and every form looks items up by key
    item_keys: tuple[str, ...] = field(init=False, compare=False)
    by_key: Mapping[str, Item] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "item_keys", tuple(item.key for item in self.items))
        object.__setattr__(self, "by_key", MappingProxyType({i.key: i for i in self.items}))

    @property
    def max_total(self) -> int:
        return sum(max(item.allowed) for item in self.items)

    def item(self, key: str) -> Item:
        return self.by_key[key]


def _scale(*anchors: str) -> tuple[tuple[int, str], ...]:
    return tuple(enumerate(anchors))


_SOWS_ANCHORS = _scale("not at all", "a little", "moderately", "quite a bit", "extremely")
_PRESENT = ((0, "absent"), (1, "present"))

COWS = Instrument(
    code="COWS",
    title="Clinical Opiate Withdrawal Scale",
    source="Wesson & Ling 2003; SAMHSA TIP 45",
    items=(
        Item(
            "resting_pulse",
            "Resting pulse rate (after sitting or lying 1 minute)",
            (
                (0, "pulse rate 80 or below"),
                (1, "pulse rate 81-100"),
                (2, "pulse rate 101-120"),
                (4, "pulse rate greater than 120"),
            ),
        ),
        Item(
            "sweating",
            "Sweating over the past half hour, not due to room temperature or activity",
            (
                (0, "no report of chills or flushing"),
                (1, "subjective report of chills or flushing"),
                (2, "flushed or observable moistness on face"),
                (3, "beads of sweat on brow or face"),
                (4, "sweat streaming off face"),
            ),
        ),
        Item(
            "restlessness",
            "Restlessness, observed during assessment",
            (
                (0, "able to sit still"),
                (1, "reports difficulty sitting still, but is able to do so"),
                (3, "frequent shifting or extraneous movements of legs/arms"),
                (5, "unable to sit still for more than a few seconds"),
            ),
        ),
        Item(
            "pupil_size",
            "Pupil size",
            (
                (0, "pupils pinned or normal size for room light"),
                (1, "pupils possibly larger than normal for room light"),
                (2, "pupils moderately dilated"),
                (5, "pupils so dilated that only the rim of the iris is visible"),
            ),
        ),
        Item(
            "bone_joint_aches",
            "Bone or joint aches, if the patient was having pain previously, "
            "only the additional component attributed to opiate withdrawal is scored",
            (
                (0, "not present"),
                (1, "mild diffuse discomfort"),
                (2, "patient reports severe diffuse aching of joints/muscles"),
                (
                    4,
                    "patient is rubbing joints or muscles and is unable to sit still because of discomfort",
                ),
            ),
        ),
        Item(
            "runny_nose_tearing",
            "Runny nose or tearing, not accounted for by cold symptoms or allergies",
            (
                (0, "not present"),
                (1, "nasal stuffiness or unusually moist eyes"),
                (2, "nose running or tearing"),
                (4, "nose constantly running or tears streaming down cheeks"),
            ),
        ),
        Item(
            "gi_upset",
            "GI upset over the last half hour",
            (
                (0, "no GI symptoms"),
                (1, "stomach cramps"),
                (2, "nausea or loose stool"),
                (3, "vomiting or diarrhoea"),
                (5, "multiple episodes of diarrhoea or vomiting"),
            ),
        ),
        Item(
            "tremor",
            "Tremor, observation of outstretched hands",
            (
                (0, "no tremor"),
                (1, "tremor can be felt, but not observed"),
                (2, "slight tremor observable"),
                (4, "gross tremor or muscle twitching"),
            ),
        ),
        Item(
            "yawning",
            "Yawning, observation during assessment",
            (
                (0, "no yawning"),
                (1, "yawning once or twice during assessment"),
                (2, "yawning three or more times during assessment"),
                (4, "yawning several times per minute"),
            ),
        ),
        Item(
            "anxiety_irritability",
            "Anxiety or irritability",
            (
                (0, "none"),
                (1, "patient reports increasing irritability or anxiousness"),
                (2, "patient obviously irritable or anxious"),
                (
                    4,
                    "patient so irritable or anxious that participation in the assessment is difficult",
                ),
            ),
        ),
        Item(
            "gooseflesh",
            "Gooseflesh skin",
            (
                (0, "skin is smooth"),
                (3, "piloerection of skin can be felt or hairs standing up on arms"),
                (5, "prominent piloerection"),
            ),
        ),
    ),
    bands=(
        Band("none", 0, 4),
        Band("mild", 5, 12),
        Band("moderate", 13, 24),
        Band("moderately-severe", 25, 36),
        Band("severe", 37, 48),
    ),
)

SOWS = Instrument(
    code="SOWS",
    title="Subjective Opiate Withdrawal Scale",
    source="Handelsman 1987; bands CTN-0051",
    items=tuple(
        Item(key, label, _SOWS_ANCHORS)
        for key, label in (
            ("anxious", "I feel anxious"),
            ("yawning", "I feel like yawning"),
            ("perspiring", "I am perspiring"),
            ("eyes_tearing", "My eyes are tearing"),
            ("nose_running", "My nose is running"),
            ("goose_flesh", "I have goose flesh"),
            ("shaking", "I am shaking"),
            ("hot_flushes", "I have hot flushes"),
            ("cold_flushes", "I have cold flushes"),
            ("bones_and_muscles_ache", "My bones and muscles ache"),
            ("restless", "I feel restless"),
            ("nauseous", "I feel nauseous"),
            ("like_vomiting", "I feel like vomiting"),
            ("muscles_twitch", "My muscles twitch"),
            ("stomach_cramps", "I have stomach cramps"),
            ("craving_to_use_now", "I feel like using now"),
        )
    ),
    bands=(
        Band("none", 0, 0),
        Band("mild", 1, 10),
        Band("moderate", 11, 20),
        Band("severe", 21, 64),
    ),
)

OOWS = Instrument(
    code="OOWS",
    title="Objective Opiate Withdrawal Scale",
    source="Handelsman 1987",
    items=tuple(
        Item(key, label, _PRESENT)
        for key, label in (
            ("yawning", "Yawning"),
            ("rhinorrhoea", "Rhinorrhoea"),
            ("piloerection", "Piloerection (gooseflesh)"),
            ("perspiration", "Perspiration"),
            ("lacrimation", "Lacrimation"),
            ("tremor", "Tremor (hands)"),
            ("mydriasis", "Mydriasis"),
            ("hot_and_cold_flushes", "Hot and cold flushes"),
            ("restlessness", "Restlessness"),
            ("vomiting", "Vomiting"),
            ("muscle_twitches", "Muscle twitches"),
            ("abdominal_cramps", "Abdominal cramps"),
            ("anxiety", "Anxiety"),
        )
    ),
    bands=(),
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (COWS, SOWS, OOWS)}


@dataclass(frozen=True, slots=True)
class SedationScale:
    """A sedation scale: ordered levels (as strings, as charted) with their anchors."""

    code: str
    title: str
    source: str
    levels: tuple[tuple[str, str], ...]
    allowed: tuple[str, ...] = field(init=False, compare=False)  # the levels, as charted

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", tuple(level for level, _ in self.levels))


POSS = SedationScale(
    code="POSS",
    title="Pasero Opioid-induced Sedation Scale",
    source="Pasero 2009",
    levels=(
        ("S", "sleep, easy to arouse"),
        ("1", "awake and alert"),
        ("2", "slightly drowsy, easily aroused"),
        (
            "3",
            "frequently drowsy, arousable, drifts off to sleep during conversation (unacceptable)",
        ),
        ("4", "somnolent, minimal or no response to verbal or physical stimulation (unacceptable)"),
    ),
)

RASS = SedationScale(
    code="RASS",
    title="Richmond Agitation-Sedation Scale",
    source="Sessler 2002",
    levels=(
        ("4", "combative: overtly combative, violent, immediate danger to staff"),
        ("3", "very agitated: pulls or removes tubes or catheters; aggressive"),
        ("2", "agitated: frequent non-purposeful movement"),
        ("1", "restless: anxious but movements not aggressive or vigorous"),
        ("0", "alert and calm"),
        ("-1", "drowsy: not fully alert, sustained awakening to voice (eye contact 10 s or more)"),
        ("-2", "light sedation: briefly awakens to voice (eye contact under 10 s)"),
        ("-3", "moderate sedation: movement or eye opening to voice, no eye contact"),
        (
            "-4",
            "deep sedation: no response to voice, movement or eye opening to physical stimulation",
        ),
        ("-5", "unarousable: no response to voice or physical stimulation"),
    ),
)


def score(instrument: Instrument, items: dict[str, int]) -> int:
    """Total of one complete, valid set of item values.

    Raises ValueError naming the item when an item is missing, unknown or has a
    value the instrument does not allow: a total is never computed from a
    partial or impossible form.
    """
    unknown = sorted(set(items) - set(instrument.item_keys))
    if unknown:
        raise ValueError(
            f"{instrument.code} has no item {unknown[0]!r}; items are {', '.join(instrument.item_keys)}"
        )
    missing = [key for key in instrument.item_keys if key not in items]
    if len(missing) == 1:
        raise ValueError(f"{instrument.code} item {missing[0]!r} is missing")
    if missing:
        raise ValueError(f"{instrument.code} items {', '.join(missing)} are missing")
    total = 0
    for item in instrument.items:
        value = items[item.key]
        if value not in item.allowed:
            raise ValueError(
                f"{instrument.code} item {item.key!r} value {value!r} is not allowed; "
                f"allowed: {', '.join(str(v) for v in item.allowed)}"
            )
        total += value
    return total


def band_for(instrument: Instrument, total: int) -> str | None:
    """The band a total falls in, or None for an instrument without bands (OOWS)."""
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band.name
    return None


def cows_resting_pulse(pulse: int) -> int:
    """COWS item 1 from a measured resting pulse: <=80 0, 81-100 1, 101-120 2, >120 4.

    The spec allows the item to be derived from the pulse measured with the vital
    signs, so the form can offer it instead of asking the nurse to band it by hand.
    """
    if pulse <= 80:
        return 0
    if pulse <= 100:
        return 1
    if pulse <= 120:
        return 2
    return 4


# --- NEWS2 ---------------------------------------------------------------------

NEWS2_RESPONSES = ("low", "urgent", "emergency")


@dataclass(frozen=True, slots=True)
class News2Result:
    """A NEWS2 aggregate with its per-parameter scores and the RCP clinical response."""

    score: int
    response: Literal["low", "urgent", "emergency"]
    parameters: dict[str, int]

    @property
    def any_single_three(self) -> bool:
        return any(points == 3 for points in self.parameters.values())


def _respiration_points(rate: int) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def _spo2_scale1_points(spo2: int) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    if spo2 <= 95:
        return 1
    return 0


def _spo2_scale2_points(spo2: int, oxygen: bool) -> int:
    """RCP SpO2 scale 2, for a prescribed target of 88-92 % in hypercapnic failure."""
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not oxygen:
        return 0
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


def _systolic_points(systolic: int) -> int:
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    if systolic <= 219:
        return 0
    return 3


def _pulse_points(pulse: int) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def _temperature_points(celsius: Decimal) -> int:
    if celsius <= Decimal("35.0"):
        return 3
    if celsius <= Decimal("36.0"):
        return 1
    if celsius <= Decimal("38.0"):
        return 0
    if celsius <= Decimal("39.0"):
        return 1
    return 2


def news2_points(
    parameter: str,
    value: int | bool | str | Decimal,
    *,
    spo2_scale: Literal[1, 2] = 1,
    oxygen: bool = False,
) -> int:
    """The NEWS2 points of one parameter's value (RCP 2017, chart 1).

    `oxygen` is needed for SpO2 on scale 2 only. Used to merge records taken at the
    same moment (each parameter keeps its worst value, clinical spec section 8).
    """
    if parameter == "respiratory_rate":
        return _respiration_points(int(value))
    if parameter == "spo2":
        spo2 = int(value)
        return _spo2_scale2_points(spo2, oxygen) if spo2_scale == 2 else _spo2_scale1_points(spo2)
    if parameter == "oxygen":
        return 2 if value is True else 0
    if parameter == "systolic_bp":
        return _systolic_points(int(value))
    if parameter == "pulse":
        return _pulse_points(int(value))
    if parameter == "consciousness":
        return 0 if value == "alert" else 3
    if parameter == "temperature_c":
        return _temperature_points(Decimal(str(value)))
    raise ValueError(f"{parameter!r} is not a NEWS2 parameter")


def news2(
    *,
    respiratory_rate: int,
    spo2: int,
    oxygen: bool,
    systolic_bp: int,
    pulse: int,
    consciousness: str,
    temperature_c: Decimal,
    spo2_scale: Literal[1, 2] = 1,
) -> News2Result:
    """NEWS2 from one complete set of the seven parameters (RCP 2017, chart 1).

    Scale 2 is for patients with hypercapnic respiratory failure and a prescribed
    target saturation of 88-92 %; everyone else is scored on scale 1. Temperatures
    are decimals so that 38.0 and 38.1 fall on the right side of the boundary.
    """
    parameters = {
        "respiratory_rate": _respiration_points(respiratory_rate),
        "spo2": _spo2_scale2_points(spo2, oxygen) if spo2_scale == 2 else _spo2_scale1_points(spo2),
        "oxygen": 2 if oxygen else 0,
        "systolic_bp": _systolic_points(systolic_bp),
        "pulse": _pulse_points(pulse),
        "consciousness": 0 if consciousness == "alert" else 3,
        "temperature_c": _temperature_points(temperature_c),
    }
    total = sum(parameters.values())
    response: Literal["low", "urgent", "emergency"]
    if total >= 7:
        response = "emergency"
    elif total >= 5 or any(points == 3 for points in parameters.values()):
        response = "urgent"
    else:
        response = "low"
    return News2Result(score=total, response=response, parameters=parameters)
