"""Record alcohol: the last drink (as reported), a breath alcohol reading, or no drink reported.

Alcohol within the protocol's window, or any breath alcohol above its threshold,
contraindicates clonazepam; nothing recorded at all holds the dose (alcohol
unknown, clinical spec section 8). The latest breath reading stands until a newer
one is recorded (a reading of 0 clears an earlier positive one); a report of no
drink stands until a drink is reported.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from owm.clinical import Protocol
from owm.clinical.findings import iso
from owm.clinical.state import Alcohol as AlcoholRecord
from owm.service.actor import Actor
from owm.service.common import parse_decimal, record_entry, validated
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.results import AlcoholView
from owm.store.models import Alcohol
from owm.store.uow import UnitOfWork

__all__ = ["record_alcohol"]


def record_alcohol(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    last_drink_at: datetime | None = None,
    breath_alcohol_mg_l: Decimal | str | None = None,
    none_reported: bool = False,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> AlcoholView:
    """Record the last drink time (not after `at`), a breath alcohol reading in mg/L, and/or
    the patient's report of no drink in the protocol's alcohol window (`none_reported`)."""
    if not isinstance(none_reported, bool):
        raise InputError("none_reported", none_reported, "true or false")
    if last_drink_at is None and breath_alcohol_mg_l is None and not none_reported:
        raise InputError(
            "last_drink_at",
            None,
            "last_drink_at, breath_alcohol_mg_l and/or none_reported (true: no drink reported)",
        )
    breath = (
        None
        if breath_alcohol_mg_l is None
        else parse_decimal(breath_alcohol_mg_l, field="breath_alcohol_mg_l", places=3)
    )
    if last_drink_at is not None and (
        not isinstance(last_drink_at, datetime) or last_drink_at.tzinfo is None
    ):
        raise InputError("last_drink_at", str(last_drink_at), "a time with a time zone")

    def fields(protocol: Protocol, moment: datetime) -> dict[str, Any]:
        drink = last_drink_at.astimezone(UTC) if last_drink_at is not None else None
        if drink is not None and drink > moment:
            raise InputError("last_drink_at", iso(drink), f"a time not after {iso(moment)}")
        validated(
            AlcoholRecord,
            {
                "last_drink_at": iso(drink),
                "breath_alcohol_mg_l": breath,
                "none_reported": none_reported or None,
            },
            protocol,
        )
        return {
            "last_drink_at": drink,
            "breath_alcohol_mg_l": breath,
            "none_reported": none_reported,
        }

    return record_entry(
        uow,
        actor,
        permission=Permission.RECORD_OBSERVATION,
        model=Alcohol,
        view_cls=AlcoholView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="alcohol.record",
    )
