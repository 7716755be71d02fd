"""The medicines a patient takes: record one, stop one, change one's dose.

Why history and not a mutable list: the interaction rules ask what was active at
the decision time, and an acknowledgement of opioid-benzodiazepine or
cns-depressant lapses when such a medicine is started or changed after it (MHRA
2020; FDA 2016). So a change stops the current row and starts a new one that
`replaces_id` it, from the time of the change; nothing is overwritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from owm.clinical import Protocol
from owm.clinical.state import Medication as MedicationRecord
from owm.service.actor import Actor
from owm.service.common import (
    audit,
    begin,
    clinical_time,
    episode_protocol,
    lock_episode,
    optional_text,
    record_entry,
    snapshot,
    validated,
)
from owm.service.errors import Conflict, InputError, NotFound
from owm.service.permissions import Permission
from owm.service.results import MedicationView, view
from owm.store.models import Medication
from owm.store.uow import UnitOfWork

__all__ = ["change_medication", "record_medication", "stop_medication"]


def _validate(protocol: Protocol, name: str, med_class: str, rxnorm: str | None) -> None:
    data: dict[str, Any] = {"name": name, "class": med_class, "active": True}
    if rxnorm is not None:
        data["rxnorm"] = rxnorm
    validated(MedicationRecord, data, protocol)


def record_medication(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    name: str,
    med_class: str,
    rxnorm: str | None = None,
    dose_text: str | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> MedicationView:
    """Record a medicine the patient takes, from `at` (started, default now).

    `med_class` is a medication class of `owm-state/1` (opioid, benzodiazepine,
    gabapentinoid, ..., other); `rxnorm` an RxNorm code (digits) if known.
    """
    dose = optional_text(dose_text, field="dose_text", max_length=200)

    def fields(protocol: Protocol, _moment: datetime) -> dict[str, Any]:
        _validate(protocol, name, med_class, rxnorm)
        return {
            "name": name.strip(),
            "med_class": med_class,
            "rxnorm": rxnorm,
            "dose_text": dose,
            "stopped_at": None,
            "replaces_id": None,
        }

    return record_entry(
        uow,
        actor,
        permission=Permission.MANAGE_MEDICATIONS,
        model=Medication,
        view_cls=MedicationView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="medication.record",
    )


def _current(uow: UnitOfWork, medication_id: int) -> Medication:
    row = uow.session.get(Medication, medication_id)
    if row is None:
        raise NotFound("medication", medication_id)
    lock_episode(uow.session, row.episode_id)
    if row.voided_at is not None:
        raise Conflict(f"medication {medication_id} was entered in error (voided)")
    if row.stopped_at is not None:
        raise Conflict(f"medication {medication_id} was already stopped")
    return row


def stop_medication(
    uow: UnitOfWork, actor: Actor, *, medication_id: int, at: datetime | None = None
) -> MedicationView:
    """Stop a medicine at `at` (default now; not before it was started)."""
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_MEDICATIONS)
        row = _current(uow, medication_id)
        moment = clinical_time(at, field="at", now=uow.now())
        if moment < row.at:
            raise InputError(
                "at", moment.isoformat(), f"a time not before the start ({row.at.isoformat()})"
            )
        before = snapshot(row)
        row.stopped_at = moment
        row.stopped_by = acting.user_id
        audit(uow, acting, "medication.stop", row, before=before)
        uow.commit()
        return view(MedicationView, row)


def change_medication(
    uow: UnitOfWork,
    actor: Actor,
    *,
    medication_id: int,
    dose_text: str,
    at: datetime | None = None,
    med_class: str | None = None,
) -> MedicationView:
    """Change a medicine's dose (or class) from `at`: the current row stops, a new row
    replaces it. Returns the new row. A physician's acknowledgement of an interaction
    with this kind of medicine lapses from the change."""
    dose = optional_text(dose_text, field="dose_text", max_length=200)
    if dose is None:
        raise InputError("dose_text", dose_text, "the new dose, as text (e.g. '60 mg daily')")
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_MEDICATIONS)
        session = uow.session
        row = _current(uow, medication_id)
        episode = lock_episode(session, row.episode_id)
        now = uow.now()
        moment = clinical_time(at, field="at", now=now, episode=episode)
        if moment < row.at:
            raise InputError(
                "at", moment.isoformat(), f"a time not before the start ({row.at.isoformat()})"
            )
        new_class = med_class or row.med_class
        _validate(episode_protocol(session, episode), row.name, new_class, row.rxnorm)
        before = snapshot(row)
        row.stopped_at = moment
        row.stopped_by = acting.user_id
        audit(uow, acting, "medication.stop", row, before=before)
        new = Medication(
            episode_id=row.episode_id,
            at=moment,
            entered_by=acting.user_id,
            entered_at=now,
            name=row.name,
            med_class=new_class,
            rxnorm=row.rxnorm,
            dose_text=dose,
            replaces_id=row.id,
        )
        session.add(new)
        audit(uow, acting, "medication.change", new)
        uow.commit()
        return view(MedicationView, new)
