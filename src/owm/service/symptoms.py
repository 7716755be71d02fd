"""Record a symptom (target symptoms and those companion medicines treat) or a side effect
(the 11 groups of the clinical spec), each by its `owm-state/1` code."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from owm.clinical import Protocol
from owm.clinical.findings import iso
from owm.clinical.state import SideEffectRecord, SymptomRecord
from owm.service.actor import Actor
from owm.service.common import optional_text, record_entry, validated
from owm.service.permissions import Permission
from owm.service.results import SideEffectView, SymptomView
from owm.store.base import ClinicalEntry
from owm.store.models import SideEffect, Symptom
from owm.store.uow import UnitOfWork

__all__ = ["record_side_effect", "record_symptom"]

V = TypeVar("V", SymptomView, SideEffectView)


def record_symptom(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    code: str,
    note: str | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> SymptomView:
    """Record a symptom by code (anxiety, agitation, muscle-tension, restless-legs, ...)."""
    return _record_code(
        uow,
        actor,
        model=Symptom,
        view_cls=SymptomView,
        state_model=SymptomRecord,
        action="symptom.record",
        episode_id=episode_id,
        code=code,
        note=note,
        at=at,
        idempotency_key=idempotency_key,
    )


def record_side_effect(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    code: str,
    note: str | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> SideEffectView:
    """Record a side effect by group code (drowsiness, headache-dizziness, ataxia, ...)."""
    return _record_code(
        uow,
        actor,
        model=SideEffect,
        view_cls=SideEffectView,
        state_model=SideEffectRecord,
        action="side_effect.record",
        episode_id=episode_id,
        code=code,
        note=note,
        at=at,
        idempotency_key=idempotency_key,
    )


def _record_code(
    uow: UnitOfWork,
    actor: Actor,
    *,
    model: type[ClinicalEntry],
    view_cls: type[V],
    state_model: type[SymptomRecord | SideEffectRecord],
    action: str,
    episode_id: int,
    code: str,
    note: str | None,
    at: datetime | None,
    idempotency_key: str | None,
) -> V:
    """The one body of both: the code checked against the core's vocabulary, a note kept."""
    text = optional_text(note, field="note")

    def fields(protocol: Protocol, moment: datetime) -> dict[str, Any]:
        record = validated(state_model, {"at": iso(moment), "code": code}, protocol)
        return {"code": record.code, "note": text}

    return record_entry(
        uow,
        actor,
        permission=Permission.RECORD_OBSERVATION,
        model=model,
        view_cls=view_cls,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action=action,
    )
