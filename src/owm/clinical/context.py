"""Facts derived once from a state, in the words of the clinical spec (section 7).

Why a separate module: every rule asks the same questions ("the latest recent
COWS", "the 24 h total", "is it night on the ward"). Answering them in one
place, once per decision, keeps the rules short, keeps the definitions in one
spot, and keeps a decision fast. Nothing here reads a clock: the decision time
is the state's `at`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar, overload

from owm.clinical.findings import Finding
from owm.clinical.instruments import COWS, SOWS, News2Result, band_for
from owm.clinical.medicines import MedicineReading, read_medicine
from owm.clinical.protocol import Protocol
from owm.clinical.readings import (
    highest_total,
    latest_group,
    merge_vitals,
    most_severe_poss,
    news2_of,
    spo2_scale_for,
)
from owm.clinical.state import (
    OTHER_BENZODIAZEPINES,
    Administration,
    Assessment,
    Medication,
    PatientState,
    Sedation,
    VitalSigns,
)

__all__ = ["CNS_DEPRESSANT_CLASSES", "Context", "hours"]

CNS_DEPRESSANT_CLASSES = frozenset(
    {
        "benzodiazepine",
        "gabapentinoid",
        "z-drug",
        "muscle-relaxant",
        "sedating-antihistamine",
        "antipsychotic",
        "barbiturate",
    }
)


@lru_cache(maxsize=256)
def hours(value: Decimal | int | float) -> timedelta:
    return timedelta(hours=float(value))


_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """functools.cached_property without the lock Python 3.11 takes on every first read.

    A Context lives for one decision in one thread, so the lock only costs time.
    """

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> cached_property[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> _T: ...
    def __get__(self, instance: object, owner: type) -> _T | cached_property[_T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value


@dataclass(frozen=True)
class Context:
    """One state, one protocol, and the facts every rule reads."""

    state: PatientState
    protocol: Protocol

    # -- time ---------------------------------------------------------------------
    @property
    def at(self) -> datetime:
        return self.state.at

    @cached_property
    def freshness(self) -> timedelta:
        return hours(self.protocol.windows.freshness_hours)

    def is_recent(self, moment: datetime) -> bool:
        """Within the freshness window before the decision time (its edge included)."""
        return moment <= self.at and self.at - moment <= self.freshness

    @cached_property
    def local_time(self) -> datetime:
        return self.at.astimezone(self.state.ward.zone)

    @cached_property
    def is_night(self) -> bool:
        """At or after night_starts, or before night_ends, in the ward's own time zone."""
        clock = self.local_time.time().replace(tzinfo=None)
        starts, ends = self.protocol.dosing.night_starts, self.protocol.dosing.night_ends
        if starts <= ends:
            return starts <= clock < ends
        return clock >= starts or clock < ends

    # -- withdrawal scores --------------------------------------------------------
    def _latest(self, instrument: str) -> Assessment | None:
        """The latest score of `instrument`; of several at that moment, the highest (rev 2)."""
        return highest_total(
            latest_group((a for a in self.state.assessments if a.instrument == instrument), self.at)
        )

    def score_at(self, instrument: str, moment: datetime) -> Assessment | None:
        """The latest score of `instrument` at or before `moment` (highest of a tie)."""
        return highest_total(
            latest_group((a for a in self.state.assessments if a.instrument == instrument), moment)
        )

    @cached_property
    def latest_cows(self) -> Assessment | None:
        return self._latest("COWS")

    @cached_property
    def recent_cows(self) -> Assessment | None:
        cows = self.latest_cows
        return cows if cows is not None and self.is_recent(cows.at) else None

    @cached_property
    def recent_sows(self) -> Assessment | None:
        sows = self._latest("SOWS")
        return sows if sows is not None and self.is_recent(sows.at) else None

    @cached_property
    def withdrawal(self) -> dict[str, Any] | None:
        """The score shown with the answer: the latest COWS, else the latest SOWS."""
        latest = self.latest_cows or self._latest("SOWS")
        if latest is None:
            return None
        instrument = COWS if latest.instrument == "COWS" else SOWS
        return {
            "instrument": latest.instrument,
            "score": latest.total,
            "band": band_for(instrument, latest.total),
            "at": latest.at,
        }

    # -- observations -------------------------------------------------------------
    @cached_property
    def spo2_scale(self) -> Literal[1, 2]:
        return spo2_scale_for(self.state.patient.conditions)

    @cached_property
    def latest_vitals_sets(self) -> tuple[VitalSigns, ...]:
        """Every set of vital signs taken at the latest moment (usually one)."""
        return latest_group(self.state.vitals, self.at)

    @cached_property
    def recent_vitals_sets(self) -> tuple[VitalSigns, ...]:
        """The latest sets when recent (each value feeds the emergency rule), else none."""
        sets = self.latest_vitals_sets
        return sets if sets and self.is_recent(sets[0].at) else ()

    @cached_property
    def latest_vitals(self) -> VitalSigns | None:
        """The latest set; sets taken at the same moment merged, each value at its worst."""
        return merge_vitals(self.latest_vitals_sets, self.spo2_scale)

    @cached_property
    def recent_vitals(self) -> VitalSigns | None:
        """The latest set if recent; complete or not (each value feeds the emergency rule)."""
        vitals = self.latest_vitals
        return vitals if vitals is not None and self.is_recent(vitals.at) else None

    @cached_property
    def latest_news2(self) -> News2Result | None:
        """NEWS2 of the latest set, recent or not, when it is complete (for `due`)."""
        return news2_of(self.latest_vitals, self.spo2_scale)

    @cached_property
    def recent_news2(self) -> News2Result | None:
        """NEWS2 of the latest recent set, only when that set is complete (section 7)."""
        return self.latest_news2 if self.recent_vitals is not None else None

    # -- sedation -----------------------------------------------------------------
    def _recent_sedation(self, scale: str) -> tuple[Sedation, ...]:
        group = latest_group((s for s in self.state.sedation if s.scale == scale), self.at)
        return group if group and self.is_recent(group[0].at) else ()

    @cached_property
    def recent_poss(self) -> Sedation | None:
        """The latest recent POSS; of several at that moment, the most severe."""
        return most_severe_poss(self._recent_sedation("POSS"))

    @cached_property
    def _recent_rass_levels(self) -> tuple[int, ...]:
        return tuple(s.rass for s in self._recent_sedation("RASS") if s.rass is not None)

    @cached_property
    def recent_rass(self) -> int | None:
        """The latest recent RASS for the sedation rules: of several at that moment, the lowest."""
        return min(self._recent_rass_levels) if self._recent_rass_levels else None

    @cached_property
    def recent_rass_agitation(self) -> int | None:
        """The latest recent RASS for agitation: of several at that moment, the highest."""
        return max(self._recent_rass_levels) if self._recent_rass_levels else None

    @cached_property
    def has_recent_sedation_score(self) -> bool:
        """A POSS or a RASS within the freshness window (ACVPU does not stand in, rev 2)."""
        return self.recent_poss is not None or self.recent_rass is not None

    @cached_property
    def deeply_sedated_sign(self) -> str | None:
        """The sign that alone means overdose is suspected, or None (emergency rule)."""
        limits = self.protocol.thresholds.emergency
        poss = self.recent_poss
        if poss is not None and poss.level in limits.poss_levels:
            return f"POSS {poss.level}"
        if self.recent_rass is not None and self.recent_rass <= limits.rass_at_most:
            return f"RASS {self.recent_rass}"
        for vitals in self.recent_vitals_sets:
            if vitals.consciousness in limits.consciousness:
                return (
                    f"responds only to {vitals.consciousness}"
                    if vitals.consciousness == "pain"
                    else "unresponsive"
                )
        rates = self.recent_values("respiratory_rate")
        if rates and min(rates) <= limits.respiratory_rate_at_most:
            return f"respiratory rate {min(rates)}/min"
        return None

    def recent_values(self, parameter: str) -> tuple[Any, ...]:
        """Every value of `parameter` in the latest recent sets (several at one moment: all)."""
        return tuple(
            getattr(v, parameter)
            for v in self.recent_vitals_sets
            if getattr(v, parameter) is not None
        )

    @cached_property
    def sedated(self) -> str | None:
        """POSS 3 or RASS at or below the sedated level (emergency with a bad vital sign)."""
        limits = self.protocol.thresholds.emergency
        poss = self.recent_poss
        if poss is not None and poss.level in limits.sedated_poss_levels:
            return f"POSS {poss.level}"
        if self.recent_rass is not None and self.recent_rass <= limits.sedated_rass_at_most:
            return f"RASS {self.recent_rass}"
        return None

    @cached_property
    def compromised_vital_signs(self) -> tuple[str, ...]:
        """Vital signs at or beyond the limits that make sedation an emergency."""
        limits = self.protocol.thresholds.emergency
        checks = (
            ("respiratory_rate", limits.with_respiratory_rate_at_most, "respiratory rate {}/min"),
            ("spo2", limits.with_spo2_at_most, "SpO2 {}%"),
            ("systolic_bp", limits.with_systolic_at_most, "systolic BP {} mmHg"),
            ("pulse", limits.with_pulse_at_most, "pulse {}/min"),
        )
        signs = []
        for parameter, at_most, words in checks:
            values = self.recent_values(parameter)
            if values and min(values) <= at_most:
                signs.append(words.format(min(values)))
        return tuple(signs)

    @cached_property
    def overdose_signs(self) -> tuple[str, ...]:
        """What makes overdose suspected now (empty when nothing does)."""
        if self.deeply_sedated_sign is not None:
            return (self.deeply_sedated_sign,)
        if self.sedated is not None and self.compromised_vital_signs:
            return (self.sedated, *self.compromised_vital_signs)
        return ()

    # -- clonazepam given ---------------------------------------------------------
    @cached_property
    def counted_doses(self) -> tuple[Administration, ...]:
        """Clonazepam doses that count (given, partial, vomited), up to now, oldest first."""
        return tuple(
            sorted(
                (
                    a
                    for a in self.state.administrations
                    if a.drug == "clonazepam" and a.counts and a.at <= self.at
                ),
                key=lambda a: a.at,
            )
        )

    @cached_property
    def last_dose(self) -> Administration | None:
        return self.counted_doses[-1] if self.counted_doses else None

    @cached_property
    def first_dose(self) -> Administration | None:
        return self.counted_doses[0] if self.counted_doses else None

    def total_in_window_ending(
        self, moment: datetime, extra: tuple[tuple[datetime, Decimal], ...] = ()
    ) -> Decimal:
        """Clonazepam mg with `at` in (moment - 24 h, moment]."""
        start = moment - timedelta(hours=24)
        total = sum((a.dose_mg for a in self.counted_doses if start < a.at <= moment), Decimal(0))
        return total + sum((mg for when, mg in extra if start < when <= moment), Decimal(0))

    @cached_property
    def total_24h(self) -> Decimal:
        return self.total_in_window_ending(self.at)

    @cached_property
    def remaining_24h(self) -> Decimal:
        return self.protocol.dosing.daily_max_mg - self.total_24h

    @cached_property
    def course_day(self) -> int:
        """Whole 24 h periods since the first counted dose, plus 1; day 1 before any dose."""
        return self.course_day_at(self.at)

    def course_day_at(self, moment: datetime) -> int:
        """The course day at `moment` (day 1 before the first counted dose)."""
        if self.first_dose is None or moment < self.first_dose.at:
            return 1
        return int((moment - self.first_dose.at) // timedelta(hours=24)) + 1

    # -- medicines ----------------------------------------------------------------
    def reading(self, medication: Medication) -> MedicineReading:
        """The medicine's classes: declared, by name and by code, united (rev 2)."""
        return read_medicine(medication.name, medication.rxnorm, medication.class_)

    def active(self, *classes: str) -> tuple[Medication, ...]:
        """Active medicines in any of `classes`, by the checked classes (never the declared one alone)."""
        wanted = frozenset(classes)
        return tuple(
            m
            for m in self.state.medications
            if m.active and not wanted.isdisjoint(self.reading(m).classes)
        )

    @cached_property
    def other_benzodiazepines_given(self) -> tuple[Administration, ...]:
        """Another benzodiazepine given in the window before now (any outcome but refused)."""
        window = hours(self.protocol.windows.other_benzodiazepine_hours)
        return tuple(
            a
            for a in self.state.administrations
            if a.drug != "clonazepam"
            and a.drug in OTHER_BENZODIAZEPINES
            and a.counts
            and self.at - window < a.at <= self.at
        )

    def recent_symptoms(self) -> frozenset[str]:
        window = hours(self.protocol.windows.symptom_hours)
        return frozenset(s.code for s in self.state.symptoms if self.at - window <= s.at <= self.at)

    # -- findings -----------------------------------------------------------------
    def finding(self, code: str, message: str, **values: Any) -> Finding:
        """A finding with the rule id, severity, group and source the protocol gives it."""
        spec = self.protocol.findings[code]
        return Finding(
            code=code,
            rule=spec.rule,
            severity=spec.severity,
            group=spec.group,
            message=message,
            source=self.protocol.source_text(code),
            values=values,
        )
