"""Acknowledgements, escalation contacts, voids, discharge, ratings, problem reports, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, ConfigDict, Field, StrictBool, StrictInt, field_validator

from owm.api.schemas.common import (
    BodyId,
    EntryOut,
    IdempotencyKey,
    Input,
    LongText,
    Output,
    RecordInput,
    ShortText,
    codes,
)
from owm.service.discharge import MOUD_REFERRALS
from owm.service.voiding import VOIDABLE

__all__ = [
    "AcknowledgementIn",
    "AcknowledgementOut",
    "AuditEntryOut",
    "AuditVerifyOut",
    "DischargeIn",
    "DischargeOut",
    "EscalationContactIn",
    "EscalationContactOut",
    "OverridesReportOut",
    "PersonCountOut",
    "PrescriberOverridesOut",
    "ProblemCloseIn",
    "ProblemReportIn",
    "ProblemReportOut",
    "RatingIn",
    "RatingOut",
    "RecommendationLogOut",
    "RuleOverridesOut",
    "VoidIn",
    "VoidOut",
]

FindingCode = Annotated[str, Field(min_length=1, max_length=60, examples=["opioid-benzodiazepine"])]
Reason = Annotated[str, Field(min_length=1, max_length=4000)]


class AcknowledgementIn(Input):
    """A physician acknowledges an escalation finding now, with a reason."""

    finding: FindingCode = Field(
        description="An escalation finding code; emergencies, contraindications and holds "
        "cannot be acknowledged."
    )
    reason: Reason
    idempotency_key: IdempotencyKey | None = None


class AcknowledgementOut(EntryOut):
    finding: str
    reason: str


class EscalationContactIn(RecordInput):
    """Who was told about a finding that asks for a physician, when (`at`), what they said."""

    finding: FindingCode
    told_who: ShortText = Field(min_length=1)
    response: Reason


class EscalationContactOut(EntryOut):
    finding: str
    told_who: str
    response: str


class VoidIn(Input):
    """Mark an entry "entered in error": it stays in the record, and no decision uses it."""

    record_type: str = codes(tuple(VOIDABLE))
    entry_id: BodyId
    reason: Reason


class VoidOut(EntryOut):
    """The voided entry (its own fields as well, by record type)."""

    model_config = ConfigDict(from_attributes=True, extra="allow")


class DischargeIn(Input):
    moud_referral: str = codes(MOUD_REFERRALS)
    naloxone_supplied: StrictBool
    psychotherapy_referral: StrictBool
    psychotherapy_service: Annotated[str, Field(max_length=500)] | None = None
    notes: LongText | None = None
    at: AwareDatetime | None = Field(default=None, description="Discharge time (default now).")


class DischargeOut(Output):
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


class RatingIn(Input):
    """The patient's rating of the stay: 1 to 5 stars."""

    stars: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=2000)] | None = None


class RatingOut(Output):
    id: int
    episode_id: int
    stars: int
    comment: str | None
    at: datetime


class ProblemReportIn(Input):
    """Report a problem with a recommendation (or an episode), for clinical governance."""

    text: Reason
    episode_id: BodyId | None = None
    recommendation_id: BodyId | None = None


class ProblemCloseIn(Input):
    resolution: Reason


class ProblemReportOut(Output):
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


class RecommendationLogOut(Output):
    id: int
    episode_id: int
    decision_at: datetime
    shown_at: datetime
    shown_to: int | None
    purpose: str
    protocol_id: str
    protocol_version: str
    action: str
    finding_codes: list[str]
    state_sha256: str
    recommendation: dict[str, Any]


class AuditEntryOut(Output):
    seq: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    record_type: str
    record_id: str | None
    before: str | None = Field(description="The record before, as canonical JSON.")
    after: str | None = Field(description="The record after, as canonical JSON.")
    client_address: str | None
    hash: str


class AuditVerifyOut(Output):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problem: str | None = Field(description="The first entry changed, removed or inserted.")
    problem_seq: int | None


class RuleOverridesOut(Output):
    """One acknowledgeable finding: how often it was shown and how often overridden."""

    code: str
    rule: str
    alerted_episodes: int = Field(description="Episodes shown a recommendation with it.")
    acknowledgements: int = Field(description="Acknowledgements recorded (voided ones apart).")
    acknowledged_episodes: int
    voided: int = Field(description="Acknowledgements voided as entered in error.")
    physicians: int = Field(description="Physicians who acknowledged it.")
    override_percent: int | None = Field(
        description="Acknowledged episodes as a percentage of alerted ones (null: never shown)."
    )


class PrescriberOverridesOut(Output):
    user_id: int
    name: str
    role: str
    total: int
    by_code: dict[str, int] = Field(description="Acknowledgements per finding code.")

    @field_validator("by_code", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        return dict(value) if isinstance(value, tuple | list) else value


class PersonCountOut(Output):
    user_id: int
    name: str
    role: str
    count: int


class OverridesReportOut(Output):
    """Acknowledgements per rule and per prescriber, and holds when a dose was allowed."""

    since: datetime
    until: datetime
    days: int
    total_acknowledgements: int
    rules: list[RuleOverridesOut]
    prescribers: list[PrescriberOverridesOut]
    holds_when_allowed: list[PersonCountOut] = Field(
        description="Doses held, per person, when the recommendation shown was give."
    )
