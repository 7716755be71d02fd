"""Protocol: a unit's limits and rules, loaded from YAML and validated on load.

Why a file: every number a rule reads (doses, windows, thresholds, course and
taper days, companion medicines, sources) is clinical governance's to set, not
a programmer's. Rules name the protocol field they read; the YAML labels each
field with the rules that read it. A protocol that is incomplete or
inconsistent (a night dose above the maximum single dose, say) is refused at
load time, so no decision is ever made from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from owm.clinical.instruments import COWS, POSS, RASS, SOWS

__all__ = [
    "ACTION_ORDER",
    "FINDING_GROUPS",
    "PHYSIOLOGICAL_FIELDS",
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

# The finding codes the core raises (state format, "Finding codes") and the action
# group each belongs to (clinical spec section 3). A protocol sets each code's
# severity, rule label and sources, but cannot drop a code or move it to another
# group: an overdose is an emergency under every unit's protocol, and only
# escalations can be acknowledged.
FINDING_GROUPS: dict[str, Group] = {
    "overdose-suspected": "emergency",
    "news2-emergency": "emergency",
    "benzodiazepine-allergy": "contraindicated",
    "liver-disease": "contraindicated",
    "narrow-angle-glaucoma": "contraindicated",
    "alcohol": "contraindicated",
    "respiratory-insufficiency": "contraindicated",
    "oversedation": "hold",
    "news2-urgent": "hold",
    "min-interval": "hold",
    "daily-limit": "hold",
    "no-assessment": "hold",
    "assessment-stale": "hold",
    "vitals-stale": "hold",
    "sedation-stale": "hold",
    "alcohol-unknown": "hold",
    "patient-details-missing": "hold",
    "nurse-hold": "hold",
    "respiratory-depression-risk": "hold",
    "opioid-benzodiazepine": "escalate",
    "cns-depressant": "escalate",
    "course-limit": "escalate",
    "severe-withdrawal": "escalate",
    "pregnancy": "escalate",
    "older-adult": "escalate",
    "benzodiazepine-misuse": "escalate",
    "cyp3a-inhibitor": "escalate",
    "not-improving": "escalate",
    "pregnancy-unknown": "escalate",
    "respiratory-risk": "escalate",
    "unknown-medicine": "escalate",
    "unmapped-record": "escalate",
    "no-withdrawal": "not-indicated",
    "no-target-symptom": "not-indicated",
    "alpha2-agonist": "none",
    "cyp3a-inducer": "none",
    "side-effect": "none",
    "taper-needed": "none",
    "night-dose": "none",
    "dose-reduced": "none",
    "counselling": "none",
    "medicine-class-mismatch": "none",
    "seizure-risk": "none",
    "alcohol-use-disorder": "none",
}


# The state fields whose possible range the protocol sets (physiological_limits).
PHYSIOLOGICAL_FIELDS: tuple[str, ...] = (
    "respiratory_rate",
    "spo2",
    "systolic_bp",
    "pulse",
    "temperature_c",
    "age_years",
    "weight_kg",
    "breath_alcohol_mg_l",
)
CONSCIOUSNESS: tuple[str, ...] = ("alert", "confusion", "voice", "pain", "unresponsive")


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
    impossible_above_max_single_times: int = Field(gt=1)

    @property
    def impossible_dose_mg(self) -> Decimal:
        """A charted dose above this is a typing error, not a dose (clinical spec section 8)."""
        return self.max_single_mg * self.impossible_above_max_single_times

    @model_validator(mode="after")
    def _consistent(self) -> Dosing:
        for name in ("standard_mg", "night_mg", "severe_mg"):
            value = getattr(self, name)
            if value > self.max_single_mg:
                raise ValueError(
                    f"{name}: {value} mg is above max_single_mg ({self.max_single_mg} mg); "
                    "allowed: at most max_single_mg"
                )
        if self.max_single_mg > self.daily_max_mg:
            raise ValueError(
                f"max_single_mg: {self.max_single_mg} mg is above daily_max_mg "
                f"({self.daily_max_mg} mg); allowed: at most daily_max_mg"
            )
        for name in ("standard_mg", "night_mg", "severe_mg", "max_single_mg"):
            value = getattr(self, name)
            if value % self.smallest_strength_mg != 0:
                raise ValueError(
                    f"{name}: {value} mg is not a multiple of smallest_strength_mg "
                    f"({self.smallest_strength_mg} mg); allowed: whole multiples of it"
                )
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
    childbearing_ages: tuple[int, int]
    respiratory_depression_rate_at_most: int = Field(ge=0)
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


class Acknowledgements(_Frozen):
    valid_hours: Decimal = Field(gt=0)
    last_the_episode: tuple[str, ...]


class ChecklistChange(_Frozen):
    """A line of the overdose checklist said differently for a patient with a condition."""

    replace: str
    with_: str = Field(alias="with")


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

    @model_validator(mode="after")
    def _distinct_rates(self) -> Pharmacokinetics:
        k = self.clearance_l_per_hour / self.volume_l
        if abs(self.ka_per_hour - k) <= 1e-9 * self.ka_per_hour:
            raise ValueError(
                f"ka_per_hour: {self.ka_per_hour} equals the elimination rate "
                f"clearance_l_per_hour / volume_l ({k}); allowed: any other rate "
                "(the one-compartment formula divides by their difference)"
            )
        return self


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
    acknowledgements: Acknowledgements
    emergency_checklist: tuple[str, ...] = Field(min_length=1)
    checklist_by_condition: dict[str, ChecklistChange] = {}
    counselling: tuple[str, ...] = Field(min_length=1)
    companions: tuple[Companion, ...]
    companion_triggers: dict[str, CompanionTrigger]
    pharmacokinetics: Pharmacokinetics

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        problems = [
            *self._order_and_findings(),
            *self._limits(),
            *self._vocabulary(),
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _order_and_findings(self) -> list[str]:
        problems = []
        if self.action_order != ACTION_ORDER:
            problems.append(
                f"action_order: {list(self.action_order)} is not allowed; "
                f"allowed: {list(ACTION_ORDER)} (clinical spec section 3)"
            )
        for code in FINDING_GROUPS:
            if code not in self.findings:
                problems.append(f"findings.{code}: required finding is missing")
        for code, spec in self.findings.items():
            group = FINDING_GROUPS.get(code)
            if group is None:
                problems.append(
                    f"findings.{code}: unknown finding code; allowed: {', '.join(FINDING_GROUPS)}"
                )
            elif spec.group != group:
                problems.append(
                    f"findings.{code}.group: {spec.group!r} is not allowed; allowed: {group!r}"
                )
            for key in spec.source:
                if key not in self.sources:
                    problems.append(
                        f"findings.{code}.source: unknown source {key!r}; "
                        f"allowed: {', '.join(self.sources)}"
                    )
        for code in self.acknowledgements.last_the_episode:
            if FINDING_GROUPS.get(code) != "escalate":
                problems.append(
                    f"acknowledgements.last_the_episode: {code!r} is not allowed; allowed: "
                    "escalation codes (only escalations can be acknowledged)"
                )
        for condition, change in self.checklist_by_condition.items():
            if change.replace not in self.emergency_checklist:
                problems.append(
                    f"checklist_by_condition.{condition}.replace: {change.replace!r} is not a "
                    "line of emergency_checklist; allowed: one of its lines, word for word"
                )
        return problems

    def _limits(self) -> list[str]:
        problems = []
        for name in PHYSIOLOGICAL_FIELDS:
            if name not in self.physiological_limits:
                problems.append(f"physiological_limits.{name}: required limit is missing")
        for name, (low, high) in self.physiological_limits.items():
            if name not in PHYSIOLOGICAL_FIELDS:
                problems.append(
                    f"physiological_limits.{name}: unknown field; "
                    f"allowed: {', '.join(PHYSIOLOGICAL_FIELDS)}"
                )
            elif low > high:
                problems.append(f"physiological_limits.{name}: low {low} is above high {high}")
        taper, smallest = self.taper.step_mg, self.dosing.smallest_strength_mg
        if taper % smallest != 0:
            problems.append(
                f"taper.step_mg: {taper} mg is not a multiple of dosing.smallest_strength_mg "
                f"({smallest} mg); allowed: whole multiples of it"
            )
        cows_max = COWS.max_total
        for name in (
            "cows_no_withdrawal_below",
            "cows_severe_dose_at_least",
            "cows_severe_withdrawal_above",
            "cows_moderate_at_least",
        ):
            value = getattr(self.thresholds, name)
            if value > cows_max:
                problems.append(
                    f"thresholds.{name}: {value} is beyond the COWS total; allowed: 0 to {cows_max}"
                )
        return problems

    def _vocabulary(self) -> list[str]:
        """Every item, level and code the protocol names exists in the state format."""
        from owm.clinical.state import CONDITIONS, SYMPTOMS  # here: state imports this module

        problems = []

        def check(path: str, values: Iterable[object], allowed: Iterable[object]) -> None:
            known = tuple(allowed)
            for value in values:
                if value not in known:
                    problems.append(
                        f"{path}: {value!r} is not allowed; "
                        f"allowed: {', '.join(str(a) for a in known)}"
                    )

        target = self.thresholds.target_symptom
        check("thresholds.target_symptom.cows_items", target.cows_items, COWS.item_keys)
        check("thresholds.target_symptom.sows_items", target.sows_items, SOWS.item_keys)
        check("thresholds.target_symptom.symptoms", target.symptoms, SYMPTOMS)
        emergency = self.thresholds.emergency
        check("thresholds.emergency.poss_levels", emergency.poss_levels, POSS.allowed)
        check(
            "thresholds.emergency.sedated_poss_levels", emergency.sedated_poss_levels, POSS.allowed
        )
        check("thresholds.emergency.consciousness", emergency.consciousness, CONSCIOUSNESS)
        over = self.thresholds.oversedation
        check("thresholds.oversedation.poss_levels", over.poss_levels, POSS.allowed)
        check(
            "thresholds.oversedation.rass_levels", over.rass_levels, (int(v) for v in RASS.allowed)
        )
        for name, trigger in self.companion_triggers.items():
            check(f"companion_triggers.{name}.cows_items", trigger.cows_items, COWS.item_keys)
        reasons = (*SYMPTOMS, *self.companion_triggers, "benzodiazepine-contraindicated")
        for i, companion in enumerate(self.companions):
            check(f"companions[{i}].for", (companion.for_,), reasons)
            check(f"companions[{i}].avoid_conditions", companion.avoid_conditions, CONDITIONS)
        check("checklist_by_condition", self.checklist_by_condition, CONDITIONS)
        low, high = self.thresholds.childbearing_ages
        if low > high:
            problems.append(f"thresholds.childbearing_ages: {low} is above {high}")
        return problems

    # Derived from the fields above on first use, then read on every decision.
    @cached_property
    def acknowledgeable_codes(self) -> tuple[str, ...]:
        """Finding codes a physician may acknowledge: escalations, and only those."""
        return tuple(code for code, spec in self.findings.items() if spec.group == "escalate")

    def checklist_for(self, conditions: Iterable[str]) -> tuple[str, ...]:
        """The overdose checklist for a patient with `conditions` (e.g. no flumazenil in
        epilepsy): each line of `emergency_checklist`, said as `checklist_by_condition`
        says it for a condition the patient has."""
        changes = {
            change.replace: change.with_
            for condition, change in self.checklist_by_condition.items()
            if condition in conditions
        }
        if not changes:
            return self.emergency_checklist
        return tuple(changes.get(line, line) for line in self.emergency_checklist)

    @cached_property
    def _source_texts(self) -> dict[str, str]:
        return {
            code: "; ".join(self.sources[key] for key in spec.source)
            for code, spec in self.findings.items()
        }

    def source_text(self, code: str) -> str:
        """The citation of a finding, from the protocol's sources."""
        return self._source_texts[code]

    @cached_property
    def finding_rank(self) -> Mapping[str, int]:
        """Each finding code's place in the protocol's rule order (for listing findings)."""
        return {code: rank for rank, code in enumerate(self.findings)}


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names the field and the problem."""


def _describe(error: ValidationError) -> list[str]:
    """One line per problem: the field path, what is wrong, and the value when it is short."""
    lines = []
    for item in error.errors(include_url=False):
        loc = [str(p) for p in item["loc"]]
        if item["type"] == "value_error":
            # our own validators name the field themselves, relative to `loc`
            prefix = ".".join(loc) + "." if loc else ""
            message = item["msg"].removeprefix("Value error, ")
            lines += [f"{prefix}{line}" for line in message.splitlines()]
            continue
        path = ".".join(loc) or "(document)"
        given = item.get("input")
        shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
        if item["type"] == "missing":
            lines.append(f"{path}: required field is missing")
        elif item["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown field; it is not part of a protocol{shown}")
        else:
            lines.append(f"{path}: {item['msg']}{shown}")
    return lines


def _from_mapping(data: Any, origin: str) -> Protocol:
    try:
        return Protocol.model_validate(data)
    except ValidationError as error:
        lines = "\n".join(f"  {line}" for line in _describe(error))
        raise ProtocolError(f"invalid protocol {origin}:\n{lines}") from None


def _parse_yaml(text: str, origin: str) -> Any:
    """YAML to plain data, with libyaml's parser when PyYAML has it (ten times faster)."""
    import yaml  # imported here: keeps YAML parsing out of the hot decision path

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # a safe loader: plain data only
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ProtocolError(f"protocol {origin} is not valid YAML{where}: {problem}") from None


def load_protocol(path: Path | str) -> Protocol:
    """Load and validate a protocol YAML file (a unit's own, for example)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProtocolError(f"cannot read protocol {path}: {error.strerror}") from None
    return _from_mapping(_parse_yaml(text, str(path)), str(path))


SHIPPED = Path(__file__).resolve().parent.parent / "protocols" / "clonazepam-adjunct.yaml"


@cache
def default_protocol() -> Protocol:
    """The shipped protocol `clonazepam-adjunct`, loaded once."""
    text = SHIPPED.read_text(encoding="utf-8")
    return _from_mapping(_parse_yaml(text, SHIPPED.name), SHIPPED.name)
