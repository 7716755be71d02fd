"""Record a withdrawal score (COWS, SOWS, OOWS) — or that it could not be done, and why.

Every item is validated against the instrument (a missing item or a value the
instrument does not allow is bad input naming the item and the allowed values).
"Unable to assess" is stored with its reason and no items: never as a forced 0,
and no decision reads it as a score.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from owm.clinical import Protocol
from owm.clinical.findings import iso
from owm.clinical.instruments import INSTRUMENTS, band_for
from owm.clinical.state import Assessment as AssessmentRecord
from owm.service.actor import Actor
from owm.service.common import optional_text, record_entry, validated
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.results import AssessmentView
from owm.store.models import Assessment
from owm.store.uow import UnitOfWork

__all__ = ["record_assessment"]


def record_assessment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    instrument: str,
    items: dict[str, int] | None = None,
    unable_reason: str | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> AssessmentView:
    """Record a COWS/SOWS/OOWS with every item value, or `unable_reason` and no items.

    `at` (default now) is when it was assessed: not in the future, not before admission.
    Raises InputError (bad instrument, item or value; both or neither of items and
    reason), NotFound, Conflict (discharged episode, key reused), PermissionDenied.
    """
    if instrument not in INSTRUMENTS or instrument in ("POSS", "RASS"):
        raise InputError("instrument", instrument, "COWS, SOWS, OOWS")
    reason = optional_text(unable_reason, field="unable_reason")
    if (items is None) == (reason is None):
        raise InputError(
            "items",
            items,
            "either every item value, or no items and an unable_reason (never both)",
        )

    def fields(protocol: Protocol, moment: datetime) -> dict[str, Any]:
        if items is None:
            return {"instrument": instrument, "items": None, "total": None, "unable_reason": reason}
        if not isinstance(items, dict):
            raise InputError("items", items, "an object of item name to whole-number value")
        record = validated(
            AssessmentRecord,
            {"instrument": instrument, "at": iso(moment), "items": items},
            protocol,
        )
        return {
            "instrument": instrument,
            "items": dict(record.items),
            "total": record.total,
            "unable_reason": None,
        }

    result = record_entry(
        uow,
        actor,
        permission=Permission.RECORD_OBSERVATION,
        model=Assessment,
        view_cls=AssessmentView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="assessment.record",
    )
    return with_band(result)


def with_band(result: AssessmentView) -> AssessmentView:
    """The view with the instrument's band for its total (None for OOWS or unable)."""
    from dataclasses import replace

    if result.total is None:
        return result
    return replace(result, band=band_for(INSTRUMENTS[result.instrument], result.total))
