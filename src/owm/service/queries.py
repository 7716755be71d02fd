"""Reading the record: wards' patients, a patient, an episode with everything in it,
the recommendations shown and the audit trail (the overrides report is
`owm.service.overrides_report`).

Reads run in a read-only transaction (deferred on SQLite: they never wait for a
writer) and are checked against the permission matrix like every write: clinical
records for nurses, physicians and pharmacists; the audit trail for pharmacists
and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.assessments import with_band
from owm.service.common import begin, load_episode, load_patient, load_ward
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.results import (
    AcknowledgementView,
    AdministrationView,
    AlcoholView,
    AssessmentView,
    AuditEntryView,
    DischargeView,
    EpisodeRecord,
    EpisodeView,
    EscalationContactView,
    HoldView,
    MedicationView,
    PatientSummary,
    PatientView,
    RatingView,
    SedationView,
    SideEffectView,
    SymptomView,
    VitalSignsView,
    view,
)
from owm.store.base import ClinicalEntry
from owm.store.models import (
    Acknowledgement,
    Administration,
    Alcohol,
    Assessment,
    AuditEntry,
    Discharge,
    Episode,
    EscalationContact,
    Hold,
    Medication,
    Patient,
    PatientRating,
    RecommendationLog,
    Sedation,
    SideEffect,
    Symptom,
    VitalSigns,
)
from owm.store.uow import UnitOfWork

__all__ = [
    "RecommendationLogView",
    "episode_record",
    "get_episode",
    "get_patient",
    "list_audit",
    "list_episodes",
    "list_patients",
    "list_recommendations",
]

V = TypeVar("V")


def list_patients(
    uow: UnitOfWork, actor: Actor, *, ward_id: int, include_discharged: bool = False
) -> list[PatientSummary]:
    """The ward's patients with their open episode (by bed, then name); with
    `include_discharged`, also patients without an open episode."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        session = uow.session
        load_ward(session, ward_id)
        rows = session.execute(
            select(Patient, Episode)
            .outerjoin(
                Episode, (Episode.patient_id == Patient.id) & Episode.discharged_at.is_(None)
            )
            .where(Patient.ward_id == ward_id)
            .order_by(Patient.bed, Patient.name, Patient.id)
        ).all()
        return [
            PatientSummary(
                patient=view(PatientView, patient),
                episode=view(EpisodeView, episode) if episode is not None else None,
            )
            for patient, episode in rows
            if include_discharged or episode is not None
        ]


def get_patient(uow: UnitOfWork, actor: Actor, *, patient_id: int) -> PatientView:
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        return view(PatientView, load_patient(uow.session, patient_id))


def get_episode(uow: UnitOfWork, actor: Actor, *, episode_id: int) -> EpisodeView:
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        return view(EpisodeView, load_episode(uow.session, episode_id))


def list_episodes(uow: UnitOfWork, actor: Actor, *, patient_id: int) -> list[EpisodeView]:
    """A patient's episodes, newest first."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        load_patient(uow.session, patient_id)
        rows = uow.session.execute(
            select(Episode)
            .where(Episode.patient_id == patient_id)
            .order_by(Episode.admitted_at.desc())
        ).scalars()
        return [view(EpisodeView, e) for e in rows]


def episode_record(uow: UnitOfWork, actor: Actor, *, episode_id: int) -> EpisodeRecord:
    """Everything recorded in the episode, voided entries included (marked), oldest first."""
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        session = uow.session
        episode = load_episode(session, episode_id)
        patient = load_patient(session, episode.patient_id)

        def entries(model: type[ClinicalEntry], cls: type[V]) -> list[V]:
            rows = session.execute(
                select(model).where(model.episode_id == episode_id).order_by(model.at, model.id)
            ).scalars()
            return [view(cls, r) for r in rows]

        discharge = session.execute(
            select(Discharge).where(Discharge.episode_id == episode_id)
        ).scalar_one_or_none()
        rating = session.execute(
            select(PatientRating).where(PatientRating.episode_id == episode_id)
        ).scalar_one_or_none()
        return EpisodeRecord(
            patient=view(PatientView, patient),
            episode=view(EpisodeView, episode),
            assessments=[with_band(a) for a in entries(Assessment, AssessmentView)],
            vitals=entries(VitalSigns, VitalSignsView),
            sedation=entries(Sedation, SedationView),
            symptoms=entries(Symptom, SymptomView),
            side_effects=entries(SideEffect, SideEffectView),
            medications=entries(Medication, MedicationView),
            alcohol=entries(Alcohol, AlcoholView),
            administrations=entries(Administration, AdministrationView),
            holds=entries(Hold, HoldView),
            acknowledgements=entries(Acknowledgement, AcknowledgementView),
            escalation_contacts=entries(EscalationContact, EscalationContactView),
            discharge=view(DischargeView, discharge) if discharge else None,
            rating=view(RatingView, rating) if rating else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationLogView:
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


def list_recommendations(
    uow: UnitOfWork, actor: Actor, *, episode_id: int, limit: int = 50
) -> list[RecommendationLogView]:
    """The recommendations logged for an episode (shown, give, hold), newest first."""
    if not 1 <= limit <= 1000:
        raise InputError("limit", limit, "1 to 1000")
    with uow.read():
        begin(uow, actor, Permission.READ_RECORD)
        load_episode(uow.session, episode_id)
        rows = uow.session.execute(
            select(RecommendationLog)
            .where(RecommendationLog.episode_id == episode_id)
            .order_by(RecommendationLog.id.desc())
            .limit(limit)
        ).scalars()
        return [view(RecommendationLogView, r) for r in rows]


def list_audit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    after_seq: int = 0,
    limit: int = 100,
    record_type: str | None = None,
    record_id: str | None = None,
) -> list[AuditEntryView]:
    """Audit entries after `after_seq`, oldest first (pharmacists and admins)."""
    if not 1 <= limit <= 1000:
        raise InputError("limit", limit, "1 to 1000")
    with uow.read():
        begin(uow, actor, Permission.READ_AUDIT)
        query = select(AuditEntry).where(AuditEntry.seq > after_seq)
        if record_type is not None:
            query = query.where(AuditEntry.record_type == record_type)
        if record_id is not None:
            query = query.where(AuditEntry.record_id == str(record_id))
        rows = uow.session.execute(query.order_by(AuditEntry.seq).limit(limit)).scalars()
        return [view(AuditEntryView, r) for r in rows]
