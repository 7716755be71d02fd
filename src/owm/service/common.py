"""Helpers every use case shares: who is acting, which episode, what time, audit, replay.

Kept in one module so that each use case reads as its steps: check the matrix,
load and lock what it changes, validate, write, audit, commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from owm.clinical import Protocol
from owm.clinical.findings import iso
from owm.service.actor import Actor
from owm.service.errors import Conflict, InputError, NotFound, PermissionDenied, Problem
from owm.service.permissions import Permission, require
from owm.service.protocols import protocol_for
from owm.service.results import view
from owm.store.audit import AuditWho, append
from owm.store.base import ClinicalEntry
from owm.store.models import Episode, Patient, User, Ward
from owm.store.uow import UnitOfWork

__all__ = [
    "MAX_TEXT",
    "Acting",
    "audit",
    "begin",
    "clinical_time",
    "episode_protocol",
    "find_replay",
    "idempotency",
    "load_episode",
    "load_patient",
    "load_ward",
    "lock_episode",
    "optional_text",
    "parse_decimal",
    "problems_from",
    "record_entry",
    "required_text",
    "snapshot",
    "validated",
]

MAX_TEXT = 4000
E = TypeVar("E", bound=ClinicalEntry)
M = TypeVar("M", bound=BaseModel)
V = TypeVar("V")


class Acting:
    """The acting person as stored: their row (None for the system) and audit identity."""

    def __init__(self, actor: Actor, user: User | None) -> None:
        self.actor = actor
        self.user = user
        self.role: str = user.role if user is not None else actor.role
        self.who = AuditWho(
            user_id=user.id if user is not None else None,
            username=user.username if user is not None else (actor.system_name or "system"),
            role=self.role,
            client_address=actor.client_address,
        )

    @property
    def user_id(self) -> int:
        """The acting user's id; clinical entries always need a person."""
        if self.user is None:
            raise PermissionDenied(self.role, "record", "a clinical entry needs a signed-in user")
        return self.user.id


def begin(uow: UnitOfWork, actor: Actor, permission: Permission) -> Acting:
    """Check the permission matrix for the actor as stored now; return who is acting.

    The role is checked first from the actor (cheap, before any query), then again
    from the stored user: a deactivated user, or one whose role changed, is refused.
    """
    require(actor.role, permission)
    if actor.is_system:
        return Acting(actor, None)
    user = uow.session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDenied(actor.role, permission.value, "this user is not active")
    if user.role != actor.role:
        raise PermissionDenied(
            actor.role, permission.value, "this user's role has changed; sign in again"
        )
    require(user.role, permission)
    return Acting(actor, user)


def load_ward(session: Session, ward_id: int) -> Ward:
    ward = session.get(Ward, ward_id)
    if ward is None:
        raise NotFound("ward", ward_id)
    return ward


def load_patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("patient", patient_id)
    return patient


def load_episode(session: Session, episode_id: int, *, open_only: bool = False) -> Episode:
    """The episode; with `open_only`, Conflict when it has been discharged."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound("episode", episode_id)
    if open_only and episode.discharged_at is not None:
        raise Conflict(f"episode {episode_id} was discharged at {iso(episode.discharged_at)}")
    return episode


def lock_episode(session: Session, episode_id: int, *, open_only: bool = True) -> Episode:
    """The episode row, locked until the transaction ends (`SELECT ... FOR UPDATE`).

    This serialises everything that decides on one patient's record on PostgreSQL;
    on SQLite the `BEGIN IMMEDIATE` write transaction already serialises writers.
    """
    episode = session.execute(
        select(Episode)
        .where(Episode.id == episode_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if episode is None:
        raise NotFound("episode", episode_id)
    if open_only and episode.discharged_at is not None:
        raise Conflict(f"episode {episode_id} was discharged at {iso(episode.discharged_at)}")
    return episode


def clinical_time(
    value: datetime | None,
    *,
    field: str,
    now: datetime,
    episode: Episode | None = None,
    not_older_than: timedelta | None = None,
) -> datetime:
    """The clinical time of an entry: `now` when None; never in the future, never before
    admission, and (for late charting) not older than `not_older_than` before now."""
    if value is None:
        return now
    if not isinstance(value, datetime):
        raise InputError(field, value, "a date and time with a time zone (ISO 8601)")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(field, value.isoformat(), "a time with a time zone (e.g. ...Z or +01:00)")
    value = value.astimezone(UTC)
    if value > now:
        raise InputError(field, iso(value), f"a time not in the future (now is {iso(now)})")
    if episode is not None and value < episode.admitted_at:
        raise InputError(
            field, iso(value), f"a time at or after admission ({iso(episode.admitted_at)})"
        )
    if not_older_than is not None and now - value > not_older_than:
        hours = Decimal(not_older_than.total_seconds()) / 3600
        raise InputError(
            field,
            iso(value),
            f"a time no more than {hours.normalize():f} h before now ({iso(now)}); "
            "later charting is not allowed by the protocol",
        )
    return value


def parse_decimal(value: Any, *, field: str, places: int) -> Decimal:
    """An exact decimal from a str/int/Decimal (never a float), with at most `places` decimals."""
    if isinstance(value, bool | float):
        raise InputError(field, value, 'an exact decimal written as text (e.g. "0.5")')
    try:
        number = Decimal(value) if isinstance(value, str | int | Decimal) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InputError(field, value, 'a decimal number (e.g. "0.5")')
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InputError(field, value, f"a number with at most {places} decimal places")
    return number


def required_text(value: Any, *, field: str, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty text")
    if len(value) > max_length:
        raise InputError(field, value[:40] + "...", f"at most {max_length} characters")
    return value.strip()


def optional_text(value: Any, *, field: str, max_length: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return required_text(value, field=field, max_length=max_length)


def problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    """Pydantic's errors as Problems: dotted field path, the value, and what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        loc = [
            str(p) for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        ]
        message = item["msg"].removeprefix("Value error, ")
        head, sep, rest = message.partition(": ")
        if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
            loc.append(head)
            message = rest
        field = ".".join([p for p in (prefix, *loc) if p])
        value = item.get("input")
        if item["type"] == "missing":
            value, message = None, "a value (this field is required)"
        elif item["type"] == "extra_forbidden":
            message = "no such field"
        problems.append(Problem(field or prefix or "(input)", value, message))
    return problems


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(row: Any) -> dict[str, Any]:
    """The row's columns as plain JSON values (for the audit trail's before/after)."""
    mapper = inspect(row).mapper
    return {attr.key: _plain(getattr(row, attr.key)) for attr in mapper.column_attrs}


def audit(
    uow: UnitOfWork,
    acting: Acting,
    action: str,
    row: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    record_type: str | None = None,
    record_id: int | str | None = None,
) -> None:
    """Append the audit entry for a change to `row` (after = the row now, unless given)."""
    uow.session.flush()
    append(
        uow.session,
        acting.who,
        action=action,
        record_type=record_type or row.__tablename__,
        record_id=record_id if record_id is not None else getattr(row, "id", None),
        before=before,
        after=after if after is not None else snapshot(row),
        at=uow.now(),
    )


def find_replay(
    session: Session,
    model: type[E],
    episode_id: int,
    idempotency_key: str | None,
    expected: Mapping[str, Any],
) -> E | None:
    """The entry already recorded under this idempotency key, or None.

    The same key with different content is a Conflict: a key names one request.
    """
    if idempotency_key is None:
        return None
    existing = session.execute(
        select(model).where(
            model.episode_id == episode_id, model.idempotency_key == idempotency_key
        )
    ).scalar_one_or_none()
    if existing is None:
        return None
    differs = [name for name, value in expected.items() if getattr(existing, name) != value]
    if differs:
        raise Conflict(
            f"idempotency key {idempotency_key!r} was already used for a different "
            f"{_kind(model)} (differs in {', '.join(differs)})"
        )
    return existing


def _kind(model: type[Any]) -> str:
    return str(getattr(model, "__tablename__", model.__name__)).replace("_", " ")


def episode_protocol(session: Session, episode: Episode) -> Protocol:
    """The protocol of the ward the episode's patient is on."""
    patient = load_patient(session, episode.patient_id)
    return protocol_for(load_ward(session, patient.ward_id).protocol_id)


def validated(model: type[M], data: Mapping[str, Any], protocol: Protocol, prefix: str = "") -> M:
    """Validate `data` with one of the core's state models (codes, allowed values, limits)."""
    try:
        return model.model_validate(dict(data), context={"protocol": protocol}, strict=False)
    except ValidationError as error:
        raise InputError.of(problems_from(error, prefix)) from None


def record_entry(
    uow: UnitOfWork,
    actor: Actor,
    *,
    permission: Permission,
    model: type[E],
    view_cls: type[V],
    episode_id: int,
    at: datetime | None,
    idempotency_key: str | None,
    fields: Callable[[Protocol, datetime], dict[str, Any]],
    action: str,
    unchecked: tuple[str, ...] = (),
) -> V:
    """The shared body of "record X": one transaction, validated, replay-safe, audited.

    `fields(protocol, at)` validates the content (raising InputError) and returns the
    columns to store (`unchecked` columns, such as the charting time, are not compared
    on a replay). The same idempotency key with the same content returns the
    entry already recorded (`replayed=True`); with other content, Conflict.
    """
    with uow:
        acting = begin(uow, actor, permission)
        session = uow.session
        key = idempotency(idempotency_key)
        # Locked like a dose: the same form sent twice at once is serialised and replayed.
        episode = lock_episode(session, episode_id, open_only=True)
        now = uow.now()
        moment = clinical_time(at, field="at", now=now, episode=episode)
        columns = fields(episode_protocol(session, episode), moment)
        expected = {k: v for k, v in columns.items() if k not in unchecked}
        if at is not None:
            expected["at"] = moment
        existing = find_replay(session, model, episode.id, key, expected)
        if existing is not None:
            return view(view_cls, existing, replayed=True)
        row: E = cast(Any, model)(
            episode_id=episode.id,
            at=moment,
            entered_by=acting.user_id,
            entered_at=now,
            idempotency_key=key,
            **columns,
        )
        session.add(row)
        audit(uow, acting, action, row)
        uow.commit()
        return view(view_cls, row)


def idempotency(value: Any) -> str | None:
    """Validate an optional idempotency key (1-200 printable characters)."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 200
        or not value.isprintable()
    ):
        raise InputError("idempotency_key", value, "1 to 200 printable characters")
    return value
