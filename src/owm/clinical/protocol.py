"""Protocol: a unit's limits and rules, loaded from YAML and validated on load.

Why a file: every number a rule reads (doses, windows, thresholds, course and
taper days, companion medicines, sources) is clinical governance's to set, not
a programmer's. Rules name the protocol field they read; the YAML labels each
field with the rules that read it. A protocol that is incomplete or
inconsistent (a night dose above the maximum single dose, say) is refused at
load time, so no decision is ever made from it.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "ACTION_ORDER",
    "Action",
    "Companion",
    "FindingSpec",
    "Protocol",
    "ProtocolError",
    "default_protocol",
    "load_protocol",
]

Action = Literal["emergency", "contraindicated", "hold", "escalate", "not-indicated", "give"]
ACTION_ORDER: tuple[Action, ...] = (
    "emergency",
    "contraindicated",
    "hold",
    "escalate",
    "not-indicated",
    "give",
)
Severity = Literal["critical", "warning", "info"]
Group = Literal["emergency", "contraindicated", "hold", "escalate", "not-indicated", "none"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Windows(_Frozen):
    freshness_hours: Decimal = Field(gt=0)
    alcohol_hours: Decimal = Field(gt=0)
    symptom_hours: Decimal = Field(gt=0)
    other_benzodiazepine_hours: Decimal = Field(gt=0)
    late_charting_hours: Decimal = Field(ge=0)


class Dosing(_Frozen):
    standard_mg: Decimal = Field(gt=0)
    night_mg: Decimal = Field(gt=0)
    severe_mg: Decimal = Field(gt=0)
    max_single_mg: Decimal = Field(gt=0)
    smallest_strength_mg: Decimal = Field(gt=0)
    daily_max_mg: Decimal = Field(gt=0)
    min_interval_hours: Decimal = Field(gt=0)
    reduction_factor: Decimal = Field(gt=0, le=1)
    night_starts: time
    night_ends: time

    @model_validator(mode="after")
    def _consistent(self) -> Dosing:
        for name in ("standard_mg", "night_mg", "severe_mg"):
            if getattr(self, name) > self.max_single_mg:
                raise ValueError(f"dosing.{name} is above dosing.max_single_mg")
        if self.max_single_mg > self.daily_max_mg:
            raise ValueError("dosing.max_single_mg is above dosing.daily_max_mg")
        if self.smallest_strength_mg > self.standard_mg:
            raise ValueError("dosing.smallest_strength_mg is above dosing.standard_mg")
        return self


class TargetSymptom(_Frozen):
    cows_items: dict[str, int]
    sows_items: dict[str, int]
    rass_at_least: int
    symptoms: tuple[str, ...]


class EmergencyThresholds(_Frozen):
    poss_levels: tuple[str, ...]
    rass_at_most: int
    consciousness: tuple[str, ...]
    respiratory_rate_at_most: int
    sedated_poss_levels: tuple[str, ...]
    sedated_rass_at_most: int
    with_respiratory_rate_at_most: int
    with_spo2_at_most: int
    with_systolic_at_most: int
    with_pulse_at_most: int


class OversedationThresholds(_Frozen):
    poss_levels: tuple[str, ...]
    rass_levels: tuple[int, ...]


class Thresholds(_Frozen):
    cows_no_withdrawal_below: int = Field(ge=0)
    cows_severe_dose_at_least: int = Field(ge=0)
    cows_severe_withdrawal_above: int = Field(ge=0)
    cows_moderate_at_least: int = Field(ge=0)
    older_adult_age: int = Field(gt=0)
    course_limit_days: int = Field(gt=0)
    taper_after_days: int = Field(gt=0)
    not_improving_min_doses: int = Field(gt=0)
    breath_alcohol_above_mg_l: Decimal = Field(ge=0)
    target_symptom: TargetSymptom
    emergency: EmergencyThresholds
    oversedation: OversedationThresholds


class Due(_Frozen):
    reassessment_minutes: int = Field(gt=0)
    assessment_hours_moderate: Decimal = Field(gt=0)
    assessment_hours_otherwise: Decimal = Field(gt=0)
    observations_hours_news2_zero: Decimal = Field(gt=0)
    observations_hours_low: Decimal = Field(gt=0)
    observations_hours_urgent: Decimal = Field(gt=0)


class Taper(_Frozen):
    step_mg: Decimal = Field(gt=0)
    doses_per_day: int = Field(gt=0)
    step_every_days: int = Field(gt=0)


class FindingSpec(_Frozen):
    rule: str
    group: Group
    severity: Severity
    source: tuple[str, ...] = Field(min_length=1)


class Companion(_Frozen):
    drug: str
    for_: str = Field(alias="for")
    dose: str
    limit: str
    hold: str
    source: str
    avoid_conditions: tuple[str, ...] = ()
    avoid_systolic_below: int | None = None
    avoid_pulse_below: int | None = None


class CompanionTrigger(_Frozen):
    cows_items: dict[str, int]


class Pharmacokinetics(_Frozen):
    bioavailability: float = Field(gt=0, le=1)
    ka_per_hour: float = Field(gt=0)
    clearance_l_per_hour: float = Field(gt=0)
    volume_l: float = Field(gt=0)
    between_subject_cv_clearance: float = Field(ge=0)
    source: str


class Protocol(_Frozen):
    """A validated protocol. Every decision carries its `id` and `version`."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: str
    drug: Literal["clonazepam"]
    route: str
    sources: dict[str, str]
    action_order: tuple[Action, ...]
    windows: Windows
    dosing: Dosing
    thresholds: Thresholds
    due: Due
    taper: Taper
    physiological_limits: dict[str, tuple[Decimal, Decimal]]
    findings: dict[str, FindingSpec]
    emergency_checklist: tuple[str, ...] = Field(min_length=1)
    counselling: tuple[str, ...] = Field(min_length=1)
    companions: tuple[Companion, ...]
    companion_triggers: dict[str, CompanionTrigger]
    pharmacokinetics: Pharmacokinetics

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        if self.action_order != ACTION_ORDER:
            raise ValueError(f"action_order must be {list(ACTION_ORDER)}")
        for code, spec in self.findings.items():
            for key in spec.source:
                if key not in self.sources:
                    raise ValueError(f"findings.{code}.source names unknown source {key!r}")
        required = {
            "respiratory_rate",
            "spo2",
            "systolic_bp",
            "pulse",
            "temperature_c",
            "age_years",
            "weight_kg",
            "breath_alcohol_mg_l",
        }
        missing = required - set(self.physiological_limits)
        if missing:
            raise ValueError(f"physiological_limits lacks {', '.join(sorted(missing))}")
        for name, (low, high) in self.physiological_limits.items():
            if low > high:
                raise ValueError(f"physiological_limits.{name}: low {low} is above high {high}")
        return self

    @property
    def acknowledgeable_codes(self) -> tuple[str, ...]:
        """Finding codes a physician may acknowledge: escalations, and only those."""
        return tuple(code for code, spec in self.findings.items() if spec.group == "escalate")

    def source_text(self, code: str) -> str:
        """The citation of a finding, from the protocol's sources."""
        return "; ".join(self.sources[key] for key in self.findings[code].source)


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names the field and the problem."""


def _from_mapping(data: Any, origin: str) -> Protocol:
    try:
        return Protocol.model_validate(data)
    except ValidationError as error:
        lines = []
        for item in error.errors(include_url=False):
            path = ".".join(str(p) for p in item["loc"]) or "(document)"
            lines.append(f"  {path}: {item['msg']} (got {item.get('input')!r})")
        raise ProtocolError(f"invalid protocol {origin}:\n" + "\n".join(lines)) from None


def load_protocol(path: Path | str) -> Protocol:
    """Load and validate a protocol YAML file (a unit's own, for example)."""
    import yaml  # imported here: keeps YAML parsing out of the hot decision path

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProtocolError(f"cannot read protocol {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProtocolError(f"protocol {path} is not valid YAML: {error}") from None
    return _from_mapping(data, str(path))


@cache
def default_protocol() -> Protocol:
    """The shipped protocol `clonazepam-adjunct`, loaded once."""
    import yaml

    text = resources.files("owm.protocols").joinpath("clonazepam-adjunct.yaml").read_text("utf-8")
    return _from_mapping(yaml.safe_load(text), "clonazepam-adjunct.yaml")
