"""Wards: a name, the IANA time zone the ward lives in, the protocol it runs, and how to
reach it (a phone contact that the patient sheet and the handoff print; admins set it).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.common import audit, begin, load_ward, optional_text, required_text, snapshot
from owm.service.errors import Conflict, InputError
from owm.service.permissions import Permission
from owm.service.protocols import known_ids
from owm.service.results import WardView, view
from owm.store.models import Ward
from owm.store.uow import UnitOfWork

__all__ = ["MAX_CONTACT", "create_ward", "get_ward", "list_wards", "set_ward_contact"]

MAX_CONTACT = 100
"""Characters of a ward's contact (a phone number and a few words of where it rings)."""


def _contact(value: object) -> str | None:
    """A ward contact: text with at least one digit (a number to call), or None."""
    contact = optional_text(value, field="contact", max_length=MAX_CONTACT)
    if contact is not None and not any(ch.isdigit() for ch in contact):
        raise InputError(
            "contact", contact, "a phone number to call the ward on, e.g. 020 7946 0321"
        )
    if contact is not None and not contact.isprintable():
        raise InputError("contact", contact, "one line of text (no line breaks)")
    return contact


def create_ward(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    timezone: str,
    protocol_id: str,
    contact: str | None = None,
) -> WardView:
    """Create a ward (admins only). `timezone` is an IANA name such as Europe/London;
    `protocol_id` must be a registered protocol; `contact` is the ward's phone (may
    follow). Conflict when the name is taken."""
    label = required_text(name, field="name", max_length=200)
    phone = _contact(contact)
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
        ward = Ward(
            name=label,
            timezone=timezone,
            protocol_id=protocol_id,
            created_at=uow.now(),
            contact=phone,
        )
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


def set_ward_contact(
    uow: UnitOfWork, actor: Actor, *, ward_id: int, contact: str | None
) -> WardView:
    """Set (or, with None or blank, clear) the ward's phone contact (admins only), audited
    with before and after. The patient sheet says "call the ward on ..." with it."""
    phone = _contact(contact)
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_WARDS)
        ward = load_ward(uow.session, ward_id)
        if ward.contact == phone:
            return view(WardView, ward)
        before = snapshot(ward)
        ward.contact = phone
        audit(uow, acting, "ward.contact", ward, before=before)
        uow.commit()
        return view(WardView, ward)
