"""Void an entry as "entered in error", with a reason.

The entry stays (in the record, marked, and in the audit trail with its before and
after); from then on no decision reads it. Voiding is serialised with dosing on
the same episode (the episode row is locked), so a dose is never decided on a
record that is being corrected at the same moment. Nurses and physicians void
clinical entries; only physicians void an acknowledgement, or an unmapped record
(a record an import could not map) once they have reviewed it.
"""

from __future__ import annotations

from typing import Any

from owm.service.actor import Actor
from owm.service.common import audit, begin, lock_episode, required_text, snapshot
from owm.service.errors import Conflict, InputError, NotFound
from owm.service.permissions import Permission, require
from owm.service.results import (
    AcknowledgementView,
    AdministrationView,
    AlcoholView,
    AssessmentView,
    EntryView,
    EscalationContactView,
    HoldView,
    MedicationView,
    SedationView,
    SideEffectView,
    SymptomView,
    UnmappedRecordView,
    VitalSignsView,
    view,
)
from owm.store.base import ClinicalEntry
from owm.store.models import (
    Acknowledgement,
    Administration,
    Alcohol,
    Assessment,
    EscalationContact,
    Hold,
    Medication,
    Sedation,
    SideEffect,
    Symptom,
    UnmappedRecord,
    VitalSigns,
)
from owm.store.uow import UnitOfWork

__all__ = ["VOIDABLE", "void_entry"]

VOIDABLE: dict[str, tuple[type[ClinicalEntry], type[EntryView]]] = {
    "assessment": (Assessment, AssessmentView),
    "vital_signs": (VitalSigns, VitalSignsView),
    "sedation": (Sedation, SedationView),
    "symptom": (Symptom, SymptomView),
    "side_effect": (SideEffect, SideEffectView),
    "medication": (Medication, MedicationView),
    "alcohol": (Alcohol, AlcoholView),
    "administration": (Administration, AdministrationView),
    "dose_hold": (Hold, HoldView),
    "unmapped_record": (UnmappedRecord, UnmappedRecordView),
    "acknowledgement": (Acknowledgement, AcknowledgementView),
    "escalation_contact": (EscalationContact, EscalationContactView),
}


def void_entry(
    uow: UnitOfWork, actor: Actor, *, record_type: str, entry_id: int, reason: str
) -> EntryView:
    """Mark an entry "entered in error" with a reason (required). `record_type` is one of
    VOIDABLE's keys. Conflict when it was already voided."""
    if record_type not in VOIDABLE:
        raise InputError("record_type", record_type, ", ".join(VOIDABLE))
    why = required_text(reason, field="reason")
    model, view_cls = VOIDABLE[record_type]
    with uow:
        acting = begin(uow, actor, Permission.VOID_ENTRY)
        if model is Acknowledgement or model is UnmappedRecord:
            # a physician's review: an acknowledgement, or an unmapped record resolved
            require(acting.role, Permission.VOID_ACKNOWLEDGEMENT)
        session = uow.session
        row: Any = session.get(model, entry_id)
        if row is None:
            raise NotFound(record_type, entry_id)
        lock_episode(session, row.episode_id, open_only=False)
        session.refresh(row)
        if row.voided_at is not None:
            raise Conflict(f"{record_type} {entry_id} was already voided")
        before = snapshot(row)
        row.voided_at = uow.now()
        row.voided_by = acting.user_id
        row.void_reason = why
        audit(uow, acting, f"{record_type}.void", row, before=before)
        uow.commit()
        return view(view_cls, row)
