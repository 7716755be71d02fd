"""Wards: a name, the IANA time zone the ward lives in, and the protocol it runs."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.common import audit, begin, load_ward, required_text
from owm.service.errors import Conflict, InputError
from owm.service.permissions import Permission
from owm.service.protocols import known_ids
from owm.service.results import WardView, view
from owm.store.models import Ward
from owm.store.uow import UnitOfWork

__all__ = ["create_ward", "get_ward", "list_wards"]


def create_ward(
    uow: UnitOfWork, actor: Actor, *, name: str, timezone: str, protocol_id: str
) -> WardView:
    """Create a ward (admins only). `timezone` is an IANA name such as Europe/London;
    `protocol_id` must be a registered protocol. Conflict when the name is taken."""
    label = required_text(name, field="name", max_length=200)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InputError(
            "timezone", timezone, "an IANA time zone name, e.g. Europe/London"
        ) from None
    if protocol_id not in known_ids():
        raise InputError("protocol_id", protocol_id, ", ".join(known_ids()))
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_WARDS)
        if uow.session.execute(select(Ward.id).where(Ward.name == label)).first():
            raise Conflict(f"a ward named {label!r} already exists")
        ward = Ward(name=label, timezone=timezone, protocol_id=protocol_id, created_at=uow.now())
        uow.session.add(ward)
        audit(uow, acting, "ward.create", ward)
        uow.commit()
        return view(WardView, ward)


def list_wards(uow: UnitOfWork, actor: Actor) -> list[WardView]:
    """Every ward, by name (anyone signed in)."""
    with uow.read():
        begin(uow, actor, Permission.REPORT_PROBLEM)
        return [
            view(WardView, w)
            for w in uow.session.execute(select(Ward).order_by(Ward.name)).scalars()
        ]


def get_ward(uow: UnitOfWork, actor: Actor, *, ward_id: int) -> WardView:
    with uow.read():
        begin(uow, actor, Permission.REPORT_PROBLEM)
        return view(WardView, load_ward(uow.session, ward_id))
