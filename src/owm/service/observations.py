"""Record vital signs and sedation (POSS or RASS).

Vital signs are validated against the protocol's physiological limits (an
impossible value is bad input, never clamped); any value may be missing, but a
set with no value at all is refused. NEWS2 is computed by the core only from a
complete set. Sedation levels are strings on their scale ("S", "1".."4" for POSS;
"-5".."4" for RASS, a leading "+" accepted).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from owm.clinical import Protocol
from owm.clinical.findings import iso
from owm.clinical.readings import VITAL_PARAMETERS
from owm.clinical.state import Sedation as SedationRecord
from owm.clinical.state import VitalSigns as VitalSignsRecord
from owm.service.actor import Actor
from owm.service.common import parse_decimal, record_entry, validated
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.results import SedationView, VitalSignsView
from owm.store.models import Sedation, VitalSigns
from owm.store.uow import UnitOfWork

__all__ = ["record_sedation", "record_vitals"]

_VITALS = VITAL_PARAMETERS


def record_vitals(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    respiratory_rate: int | None = None,
    spo2: int | None = None,
    oxygen: bool | None = None,
    systolic_bp: int | None = None,
    pulse: int | None = None,
    consciousness: str | None = None,
    temperature_c: Decimal | str | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> VitalSignsView:
    """Record one set of vital signs (at least one value; temperature as an exact decimal)."""
    temperature = (
        None
        if temperature_c is None
        else parse_decimal(temperature_c, field="temperature_c", places=2)
    )
    given = {
        "respiratory_rate": respiratory_rate,
        "spo2": spo2,
        "oxygen": oxygen,
        "systolic_bp": systolic_bp,
        "pulse": pulse,
        "consciousness": consciousness,
        "temperature_c": temperature,
    }
    if all(v is None for v in given.values()):
        raise InputError("vitals", None, f"at least one of {', '.join(_VITALS)}")
    for name in ("respiratory_rate", "spo2", "systolic_bp", "pulse"):
        value = given[name]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InputError(name, value, "a whole number")
    if oxygen is not None and not isinstance(oxygen, bool):
        raise InputError("oxygen", oxygen, "true or false")

    def fields(protocol: Protocol, moment: datetime) -> dict[str, Any]:
        validated(
            VitalSignsRecord,
            {"at": iso(moment), **{k: v for k, v in given.items() if v is not None}},
            protocol,
        )
        return given

    return record_entry(
        uow,
        actor,
        permission=Permission.RECORD_OBSERVATION,
        model=VitalSigns,
        view_cls=VitalSignsView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="vital_signs.record",
    )


def record_sedation(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    scale: str,
    level: str,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> SedationView:
    """Record a POSS or RASS level."""
    if not isinstance(level, str):
        raise InputError("level", level, 'a level as text: POSS "S", "1".."4"; RASS "-5".."4"')

    def fields(protocol: Protocol, moment: datetime) -> dict[str, Any]:
        record = validated(
            SedationRecord, {"at": iso(moment), "scale": scale, "level": level}, protocol
        )
        return {"scale": record.scale, "level": record.level}

    return record_entry(
        uow,
        actor,
        permission=Permission.RECORD_OBSERVATION,
        model=Sedation,
        view_cls=SedationView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="sedation.record",
    )
