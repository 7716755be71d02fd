"""What service functions return: plain frozen dataclasses, never ORM objects.

Why: a caller (REST, web pages, CLI, tests) must not be able to change the
database through a result or trigger a lazy load after the transaction ended.
Each view is built from a row with `view(Cls, row)`, which copies the fields the
view names.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from owm.clinical import Recommendation

__all__ = [
    "AcknowledgementView",
    "AdministrationView",
    "AdmissionResult",
    "AlcoholView",
    "AssessmentView",
    "AuditEntryView",
    "DischargeView",
    "DoseResult",
    "EntryView",
    "EpisodeRecord",
    "EpisodeView",
    "EscalationContactView",
    "HoldResult",
    "HoldView",
    "IssuedToken",
    "MedicationView",
    "PatientSummary",
    "PatientView",
    "ProblemReportView",
    "RatingView",
    "RecommendationResult",
    "SedationView",
    "SideEffectView",
    "SymptomView",
    "TokenView",
    "UnmappedRecordView",
    "UserView",
    "VitalSignsView",
    "WardView",
    "view",
]

V = TypeVar("V")


def view(cls: type[V], row: Any, **extra: Any) -> V:
    """Build the view `cls` from the attributes of `row` of the same names (plus `extra`)."""
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in extra:
            values[f.name] = extra[f.name]
        elif f.default is not MISSING and not hasattr(row, f.name):
            continue
        else:
            values[f.name] = getattr(row, f.name)
    return cls(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class WardView:
    id: int
    name: str
    timezone: str
    protocol_id: str
    contact: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenView:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    """A new API token: `token` is shown once and never stored."""

    token: str
    info: TokenView


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientView:
    id: int
    ward_id: int
    bed: str | None
    name: str
    mrn: str
    date_of_birth: date | None
    age_years: int | None
    sex: str | None
    weight_kg: Decimal | None
    pregnant: bool | None
    conditions: list[str]
    allergies: list[str]
    history: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeView:
    id: int
    patient_id: int
    admitted_at: datetime
    discharged_at: datetime | None
    setting: str
    first_line_offered: bool
    first_line_choice: str
    first_line_note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmissionResult:
    """A patient admitted (or, for a repeated idempotency key, the admission already made)."""

    patient: PatientView
    episode: EpisodeView
    replayed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    """One line of the ward list: the patient and the open episode, if any."""

    patient: PatientView
    episode: EpisodeView | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryView:
    """What every clinical entry shows: clinical time, who charted it and when, void."""

    id: int
    episode_id: int
    at: datetime
    entered_by: int
    entered_at: datetime
    idempotency_key: str | None
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str | None
    replayed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentView(EntryView):
    instrument: str
    items: dict[str, int] | None
    total: int | None
    unable_reason: str | None
    band: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalSignsView(EntryView):
    respiratory_rate: int | None
    spo2: int | None
    oxygen: bool | None
    systolic_bp: int | None
    pulse: int | None
    consciousness: str | None
    temperature_c: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SedationView(EntryView):
    scale: str
    level: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SymptomView(EntryView):
    code: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SideEffectView(EntryView):
    code: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlcoholView(EntryView):
    last_drink_at: datetime | None
    breath_alcohol_mg_l: Decimal | None
    none_reported: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmappedRecordView(EntryView):
    kind: str
    text: str
    code: str | None
    system: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MedicationView(EntryView):
    name: str
    med_class: str
    rxnorm: str | None
    dose_text: str | None
    stopped_at: datetime | None
    replaces_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdministrationView(EntryView):
    drug: str
    dose_mg: Decimal
    route: str
    outcome: str
    recorded_at: datetime
    recommendation_id: int | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldView(EntryView):
    drug: str
    reason: str
    finding_codes: list[str]
    recommendation_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AcknowledgementView(EntryView):
    finding: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationContactView(EntryView):
    finding: str
    told_who: str
    response: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeView:
    id: int
    episode_id: int
    at: datetime
    moud_referral: str
    naloxone_supplied: bool
    psychotherapy_referral: bool
    psychotherapy_service: str | None
    taper_plan: list[dict[str, Any]] | None
    notes: str | None
    entered_by: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingView:
    id: int
    episode_id: int
    stars: int
    comment: str | None
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemReportView:
    id: int
    episode_id: int | None
    recommendation_id: int | None
    text: str
    at: datetime
    reported_by: int
    status: str
    closed_at: datetime | None
    closed_by: int | None
    resolution: str | None
    replayed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationResult:
    """The recommendation now: the core's answer, its JSON, the state it was made from.

    `log_id` is the recommendation log row (None when not recorded as shown).
    """

    episode_id: int
    log_id: int | None
    recommendation: Recommendation
    document: dict[str, Any]
    state: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseResult:
    """A dose recorded (or the same dose returned again for a repeated idempotency key)."""

    administration: AdministrationView
    recommendation: dict[str, Any]
    replayed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldResult:
    hold: HoldView
    recommendation: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntryView:
    seq: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    record_type: str
    record_id: str | None
    before: str | None
    after: str | None
    client_address: str | None
    hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeRecord:
    """Everything recorded in an episode (voided entries included and marked), oldest first."""

    patient: PatientView
    episode: EpisodeView
    assessments: list[AssessmentView] = field(default_factory=list)
    vitals: list[VitalSignsView] = field(default_factory=list)
    sedation: list[SedationView] = field(default_factory=list)
    symptoms: list[SymptomView] = field(default_factory=list)
    side_effects: list[SideEffectView] = field(default_factory=list)
    medications: list[MedicationView] = field(default_factory=list)
    alcohol: list[AlcoholView] = field(default_factory=list)
    administrations: list[AdministrationView] = field(default_factory=list)
    holds: list[HoldView] = field(default_factory=list)
    acknowledgements: list[AcknowledgementView] = field(default_factory=list)
    escalation_contacts: list[EscalationContactView] = field(default_factory=list)
    discharge: DischargeView | None = None
    rating: RatingView | None = None
