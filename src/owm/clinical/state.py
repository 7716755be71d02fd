"""PatientState: everything one decision is made from (format `owm-state/1`).

Why strict: a clinical decision must never rest on a guessed value. Unknown
fields, unknown codes, impossible values and times without a timezone are
rejected, and the error names the field path, the value and what is allowed.
Missing optional data is not an error; the rules treat it as unknown.

Physiological limits are protocol data: pass the protocol in force as the
validation context (`parse_state(data, protocol)`), so a unit's protocol file
decides what counts as impossible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from owm.clinical.instruments import INSTRUMENTS, POSS, RASS
from owm.clinical.protocol import Protocol
from owm.clinical.vocab import (
    ADMINISTERED_DRUGS,
    ALLERGIES,
    CONDITIONS,
    HISTORY,
    MEDICATION_CLASSES,
    OTHER_BENZODIAZEPINES,
    SIDE_EFFECTS,
    SYMPTOMS,
    AcknowledgingRole,
    AdministeredDrug,
    Allergy,
    Condition,
    Consciousness,
    History,
    InstrumentCode,
    MedicationClass,
    Outcome,
    Route,
    SedationScaleCode,
    Setting,
    Sex,
    SideEffect,
    Symptom,
    UnmappedKind,
)

__all__ = [
    "ADMINISTERED_DRUGS",
    "ALLERGIES",
    "CONDITIONS",
    "EARLIEST_YEAR",
    "HISTORY",
    "LATEST_YEAR",
    "MEDICATION_CLASSES",
    "OTHER_BENZODIAZEPINES",
    "SIDE_EFFECTS",
    "SYMPTOMS",
    "Acknowledgement",
    "Administration",
    "Alcohol",
    "Assessment",
    "Episode",
    "Hold",
    "Medication",
    "Patient",
    "PatientState",
    "Sedation",
    "SideEffectRecord",
    "StateError",
    "SymptomRecord",
    "Unmapped",
    "VitalSigns",
    "Ward",
    "canonical_zones",
    "parse_state",
]

# Times a record can carry: anything outside is a typing error, not a clinical fact
# (and year 1 with an offset cannot even be turned into UTC).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def _whole_number(value: Any) -> Any:
    """A count or a measurement in whole units: a JSON number, never text or true/false."""
    if isinstance(value, bool | str):
        raise PydanticCustomError(
            "int_type", "Input should be a whole number (a JSON number, not text or true/false)"
        )
    return value


def _point_in_time(value: Any) -> Any:
    """A time is an ISO 8601 string with its offset; a bare number is not guessed as epoch time."""
    if isinstance(value, bool | int | float | Decimal):
        raise PydanticCustomError(
            "datetime_type",
            "Input should be an ISO 8601 date and time with a time zone, e.g. 2026-11-25T14:00:00Z",
        )
    return value


def _within_years(value: datetime) -> datetime:
    """A time between EARLIEST_YEAR and LATEST_YEAR, in UTC as well as in its own offset."""
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        in_utc = None
    for moment in (value, in_utc):
        if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise PydanticCustomError(
                "datetime_range",
                f"Input should be a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}",
            )
    return value


def _true_or_false(value: Any) -> Any:
    """A yes/no fact is JSON true or false; "no", 0 or "false" are not guessed."""
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be true or false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
TrueOrFalse = Annotated[bool, BeforeValidator(_true_or_false)]
Moment = Annotated[AwareDatetime, BeforeValidator(_point_in_time), AfterValidator(_within_years)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _check_limit(value: Any, field: str, info: ValidationInfo) -> Any:
    """Reject a value outside the protocol's physiological limit for `field`."""
    if value is None:
        return value
    protocol = (info.context or {}).get("protocol")
    if not isinstance(protocol, Protocol):
        raise ValueError("no protocol given to validate physiological limits")
    low, high = protocol.physiological_limits[field]
    if not low <= value <= high:
        raise ValueError(f"value {value} is outside the possible range; allowed: {low} to {high}")
    return value


@cache
def canonical_zones() -> frozenset[str]:
    """IANA zone names from the tzdata package's list, without `Factory` (clinical spec
    section 8): `localtime`, `posixrules`, `posix/...` and `right/...` are not in it, so a
    ward's night never depends on the host the decision runs on."""
    from importlib.resources import files

    names = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(names) - {"Factory"}


class Ward(_Strict):
    timezone: str = Field(description="IANA time zone of the ward, e.g. Europe/London")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        problem = (
            f"time zone {value!r} is not a canonical IANA time zone name; allowed: a name "
            "from the IANA list such as Europe/London or America/New_York (not localtime, "
            "posixrules, posix/..., right/... or Factory)"
        )
        if value not in canonical_zones():
            raise ValueError(problem)
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Patient(_Strict):
    age_years: WholeNumber | None = None
    sex: Sex | None = None
    weight_kg: Decimal | None = None
    pregnant: TrueOrFalse | None = None
    conditions: tuple[Condition, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    history: tuple[History, ...] = ()

    @field_validator("age_years", "weight_kg")
    @classmethod
    def _possible(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return _check_limit(value, info.field_name, info)


class Episode(_Strict):
    started_at: Moment
    setting: Setting = "inpatient"


class Alcohol(_Strict):
    """What is known of alcohol: a last drink, a breath reading, or a report of none.

    `none_reported: true` is the patient's report of no drink within the protocol's
    alcohol window. A block with none of the three is alcohol unknown (section 8).
    """

    last_drink_at: Moment | None = None
    breath_alcohol_mg_l: Decimal | None = None
    none_reported: TrueOrFalse | None = None

    @property
    def known(self) -> bool:
        """Whether anything was recorded that answers "has the patient drunk?"."""
        return (
            self.last_drink_at is not None
            or self.breath_alcohol_mg_l is not None
            or self.none_reported is True
        )

    @field_validator("breath_alcohol_mg_l")
    @classmethod
    def _possible(cls, value: Any, info: ValidationInfo) -> Any:
        return _check_limit(value, "breath_alcohol_mg_l", info)


class Medication(_Strict):
    """A medicine the patient takes. Its declared `class` is checked against owm's
    terminology by name and `rxnorm` code (section 8); `classified_by` names the
    role (physician or pharmacist) who chose the class of a medicine the terminology
    does not know, so it no longer escalates as unknown (an owm extension)."""

    name: str = Field(min_length=1, max_length=200)
    class_: MedicationClass = Field(alias="class")
    active: TrueOrFalse = True
    changed_at: Moment | None = None
    rxnorm: str | None = Field(default=None, pattern=r"^[0-9]{1,12}$")
    classified_by: Literal["physician", "pharmacist"] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Assessment(_Strict):
    instrument: InstrumentCode
    at: Moment
    items: dict[str, WholeNumber]

    @model_validator(mode="after")
    def _items_complete_and_allowed(self) -> Assessment:
        instrument = INSTRUMENTS[self.instrument]
        for key in self.items:
            if key not in instrument.by_key:
                raise ValueError(
                    f"items.{key}: {self.instrument} has no item {key!r}; "
                    f"allowed items: {', '.join(instrument.item_keys)}"
                )
        missing = [key for key in instrument.item_keys if key not in self.items]
        if len(missing) == 1:
            raise ValueError(
                f"items.{missing[0]}: {self.instrument} item {missing[0]!r} is missing; "
                "every item must be scored"
            )
        if missing:
            raise ValueError(
                f"items: {self.instrument} items {', '.join(missing)} are missing; "
                "every item must be scored"
            )
        for item in instrument.items:
            value = self.items[item.key]
            if value not in item.allowed:
                raise ValueError(
                    f"items.{item.key}: {self.instrument} item {item.key!r} value {value!r} "
                    f"is not allowed; allowed: {', '.join(str(v) for v in item.allowed)}"
                )
        return self

    @cached_property
    def total(self) -> int:
        return sum(self.items.values())


class VitalSigns(_Strict):
    at: Moment
    respiratory_rate: WholeNumber | None = None
    spo2: WholeNumber | None = None
    oxygen: TrueOrFalse | None = None
    systolic_bp: WholeNumber | None = None
    pulse: WholeNumber | None = None
    consciousness: Consciousness | None = None
    temperature_c: Decimal | None = None

    @field_validator("respiratory_rate", "spo2", "systolic_bp", "pulse", "temperature_c")
    @classmethod
    def _possible(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return _check_limit(value, info.field_name, info)

    @cached_property
    def complete(self) -> bool:
        return None not in (
            self.respiratory_rate,
            self.spo2,
            self.oxygen,
            self.systolic_bp,
            self.pulse,
            self.consciousness,
            self.temperature_c,
        )


class Sedation(_Strict):
    at: Moment
    scale: SedationScaleCode
    level: str

    @model_validator(mode="after")
    def _level_on_scale(self) -> Sedation:
        scale = POSS if self.scale == "POSS" else RASS
        level = self.level
        if self.scale == "RASS" and level[:1] == "+" and level[1:].isdigit():
            level = level[1:]  # "+1" as charted on the RASS form is level 1
        if level not in scale.allowed:
            raise ValueError(
                f"level: {self.scale} level {self.level!r} is not allowed; "
                f"allowed: {', '.join(scale.allowed)}"
                + (" (a leading + is accepted)" if self.scale == "RASS" else "")
            )
        object.__setattr__(self, "level", level)
        return self

    @cached_property
    def rass(self) -> int | None:
        return int(self.level) if self.scale == "RASS" else None


class SymptomRecord(_Strict):
    at: Moment
    code: Symptom


class SideEffectRecord(_Strict):
    at: Moment
    code: SideEffect


class Administration(_Strict):
    drug: AdministeredDrug
    dose_mg: Decimal = Field(gt=0, max_digits=9, decimal_places=4)
    route: Route = "oral"
    at: Moment
    recorded_at: Moment | None = None
    outcome: Outcome = "given"

    @model_validator(mode="after")
    def _charted_after_given(self) -> Administration:
        if self.recorded_at is not None and self.recorded_at < self.at:
            raise ValueError(
                f"recorded_at {self.recorded_at.isoformat()} is before at {self.at.isoformat()}; "
                "a dose cannot be charted before it was given"
            )
        return self

    @model_validator(mode="after")
    def _possible_dose(self, info: ValidationInfo) -> Administration:
        """A dose of the protocol's drug above `dosing.impossible_above_max_single_times` times
        the maximum single dose is a typing error (section 8); below that it is recorded as
        it happened, however large: a dosing error must never be hidden."""
        protocol = (info.context or {}).get("protocol")
        if isinstance(protocol, Protocol) and self.drug == protocol.drug:
            limit = protocol.dosing.impossible_dose_mg
            if self.dose_mg > limit:
                raise ValueError(
                    f"dose_mg: {self.dose_mg} mg of {self.drug} is not a possible dose; allowed: "
                    f"at most {limit} mg ({protocol.dosing.impossible_above_max_single_times} "
                    "times the maximum single dose)"
                )
        return self

    @property
    def counts(self) -> bool:
        """Whether the dose counts toward interval, 24 h total and course (refused does not)."""
        return self.outcome != "refused"


class Acknowledgement(_Strict):
    """A physician's acknowledgement of an escalation (section 8: `by` is the role)."""

    finding: str
    by: str
    at: Moment
    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("by")
    @classmethod
    def _physician(cls, value: str) -> AcknowledgingRole:
        if value != "physician":
            raise ValueError(
                f"{value!r} cannot acknowledge an escalation; allowed: 'physician' (the role "
                "of the person who acknowledged)"
            )
        return "physician"

    @field_validator("finding")
    @classmethod
    def _escalation_only(cls, value: str, info: ValidationInfo) -> str:
        protocol = (info.context or {}).get("protocol")
        if isinstance(protocol, Protocol):
            allowed = protocol.acknowledgeable_codes
            if value not in allowed:
                raise ValueError(
                    f"finding {value!r} cannot be acknowledged; only escalations can: "
                    f"{', '.join(allowed)}"
                )
        return value


class Hold(_Strict):
    """A nurse's hold of a dose; it stands until a newer COWS (section 8)."""

    at: Moment
    reason: str = Field(min_length=1, max_length=2000)


class Unmapped(_Strict):
    """A record an import or a FHIR Bundle holds that owm could not map to its codes.

    It is never dropped: the rules escalate unmapped-record and name it (section 8).
    """

    kind: UnmappedKind
    text: str = Field(min_length=1, max_length=500)
    code: str | None = Field(default=None, max_length=100)
    system: str | None = Field(default=None, max_length=500)

    @property
    def label(self) -> str:
        coded = f" ({self.system or 'code'} {self.code})" if self.code else ""
        return f"{self.kind} {self.text}{coded}"


_RECORD_LISTS = (
    "medications",
    "assessments",
    "vitals",
    "sedation",
    "symptoms",
    "administrations",
    "side_effects",
    "acknowledgements",
    "holds",
    "unmapped",
)


def _comparable(value: Any) -> tuple[Any, ...]:
    """A value that sorts beside others of its field: None first, dicts by their items."""
    if value is None:
        return (0,)
    if isinstance(value, dict):
        return (1, tuple(sorted(value.items())))
    return (1, value)


def _record_key(record: BaseModel) -> tuple[Any, ...]:
    """Time first (`at`, when the record has one), then every field by name."""
    fields = sorted(record.__dict__.items())
    return (
        _comparable(getattr(record, "at", None)),
        tuple((name, _comparable(value)) for name, value in fields),
    )


def _in_order(records: tuple[Any, ...]) -> tuple[Any, ...]:
    """Records by time; only records at the same moment (or without one) are sorted by content."""
    if not hasattr(records[0], "at"):
        return tuple(sorted(records, key=_record_key))
    by_time = sorted(records, key=_time_of)
    if any(a.at == b.at for a, b in pairwise(by_time)):
        return tuple(sorted(records, key=_record_key))
    return tuple(by_time)


def _time_of(record: Any) -> datetime:
    moment: datetime = record.at
    return moment


class PatientState(_Strict):
    """One patient's state at the decision time `at` (format `owm-state/1`)."""

    format: Literal["owm-state/1"]
    at: Moment
    ward: Ward
    protocol: str | None = None
    patient: Patient = Patient()
    episode: Episode | None = None
    alcohol: Alcohol = Alcohol()
    medications: tuple[Medication, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    vitals: tuple[VitalSigns, ...] = ()
    sedation: tuple[Sedation, ...] = ()
    symptoms: tuple[SymptomRecord, ...] = ()
    administrations: tuple[Administration, ...] = ()
    side_effects: tuple[SideEffectRecord, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    holds: tuple[Hold, ...] = ()
    unmapped: tuple[Unmapped, ...] = ()

    @model_validator(mode="after")
    def _canonical_order(self) -> PatientState:
        """Records in time order (ties by content), codes sorted: the order a list
        happened to arrive in never changes a decision, its wording or its values."""
        for name in _RECORD_LISTS:
            records = getattr(self, name)
            if len(records) > 1:
                object.__setattr__(self, name, _in_order(records))
        patient = self.patient
        for name in ("conditions", "allergies", "history"):
            codes = getattr(patient, name)
            if len(codes) > 1:
                object.__setattr__(patient, name, tuple(sorted(codes)))
        return self

    @field_validator("protocol")
    @classmethod
    def _protocol_in_force(cls, value: str | None, info: ValidationInfo) -> str | None:
        protocol = (info.context or {}).get("protocol")
        if value is not None and isinstance(protocol, Protocol) and value != protocol.id:
            raise ValueError(
                f"protocol {value!r} is not the protocol in force; allowed: {protocol.id!r}"
            )
        return value


class StateError(ValueError):
    """A state that cannot be decided on; `problems` name field path, value and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid owm-state/1:\n" + "\n".join(f"  {p}" for p in problems))


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts) or "(document)"


def _short(value: Any, limit: int = 80) -> Any:
    text = repr(value)
    return value if len(text) <= limit else _Shortened(text[: limit - 3] + "...")


class _Shortened(str):
    def __repr__(self) -> str:
        return str(self)


def describe_validation_error(error: ValidationError) -> list[str]:
    """Turn pydantic's errors into one line each: path, value, what is wrong and allowed."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(
            p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        message = item["msg"].removeprefix("Value error, ")
        kind = item["type"]
        shown = item.get("input")
        if kind == "extra_forbidden":
            message = "unknown field; it is not part of owm-state/1"
        shown = _short(shown)
        if kind == "value_error":
            field, sep, rest = message.partition(": ")
            if sep and re.fullmatch(r"[a-z_][a-z0-9_.]*", field):
                loc, message = (*loc, *field.split(".")), rest
        if kind == "missing":
            problems.append(f"{_path(loc)}: required field is missing")
        elif kind == "value_error":
            problems.append(f"{_path(loc)}: {message}")
        else:
            problems.append(f"{_path(loc)}: {message} (got {shown!r})")
    return problems


def parse_state(data: Mapping[str, Any], protocol: Protocol) -> PatientState:
    """Validate a decoded `owm-state/1` document against the protocol in force.

    Raises StateError naming every problem; never returns a partially valid state.
    """
    try:
        return PatientState.model_validate(
            data, context={"protocol": protocol}, strict=False, by_alias=True, by_name=False
        )
    except ValidationError as error:
        raise StateError(describe_validation_error(error)) from None
