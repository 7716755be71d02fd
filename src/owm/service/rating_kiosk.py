"""The rating kiosk: the patient rates the stay on the ward's device, which is not left
signed in as the nurse.

Why: the patient's 1-5 star rating is given on the ward's device, and a device
handed to a patient while signed in as a nurse would open every patient's record.
So a nurse (or physician) opens a rating-only link for one episode
(`open_rating_kiosk`): a random token, shown once in the link and stored only as
its SHA-256, that works for `KIOSK_LIFETIME`, for that episode's rating and
nothing else (it is no API token and no session), and once: the rating is
recorded and the link used up in one transaction (`rate_stay_at_kiosk`),
serialised on the link's row, so two presses record one rating. Opening another
link for the episode closes the earlier one. The rating is recorded, and
audited, as entered by the person who opened the link (who must still be active
and allowed to record a rating), from the kiosk's address, naming the link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from owm.service.actor import Actor
from owm.service.common import audit, begin, load_episode, optional_text, snapshot
from owm.service.errors import AuthenticationFailed, Conflict, InputError, PermissionDenied
from owm.service.permissions import Permission, allowed
from owm.service.results import RatingView, view
from owm.store.models import Patient, PatientRating, RatingKiosk, User, Ward
from owm.store.uow import UnitOfWork

__all__ = [
    "KIOSK_LIFETIME",
    "KioskLink",
    "KioskPage",
    "RatingLinkClosed",
    "open_rating_kiosk",
    "rate_stay_at_kiosk",
    "rating_kiosk_page",
]

KIOSK_LIFETIME = timedelta(minutes=30)
"""How long a rating link works once opened (long enough to hand the device over)."""


class RatingLinkClosed(AuthenticationFailed):
    """The rating link is unknown, used, expired or replaced: it opens nothing."""

    def __init__(self) -> None:
        super().__init__(
            "this rating link has been used, has expired or was replaced; "
            "please hand the device back to the staff"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class KioskLink:
    """A rating link just opened: `token` goes into the link and is never shown again."""

    token: str
    kiosk_id: int
    episode_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class KioskPage:
    """What the kiosk page may show: the ward, never the patient or the staff."""

    episode_id: int
    ward_name: str
    ward_timezone: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_rating_kiosk(uow: UnitOfWork, actor: Actor, *, episode_id: int) -> KioskLink:
    """Open a rating-only link for the episode (nurses and physicians); earlier links of
    the episode close. Conflict when the stay has already been rated."""
    with uow:
        acting = begin(uow, actor, Permission.RECORD_RATING)
        session = uow.session
        episode = load_episode(session, episode_id)
        rated = session.execute(
            select(PatientRating.id).where(PatientRating.episode_id == episode.id)
        ).first()
        if rated is not None:
            raise Conflict(f"the stay of episode {episode.id} has already been rated")
        now = uow.now()
        session.execute(
            update(RatingKiosk)
            .where(
                RatingKiosk.episode_id == episode.id,
                RatingKiosk.used_at.is_(None),
                RatingKiosk.closed_at.is_(None),
            )
            .values(closed_at=now)
        )
        token = secrets.token_urlsafe(32)
        row = RatingKiosk(
            episode_id=episode.id,
            token_hash=_hash(token),
            opened_by=acting.user_id,
            opened_at=now,
            expires_at=now + KIOSK_LIFETIME,
        )
        session.add(row)
        audit(uow, acting, "rating_kiosk.open", row)
        uow.commit()
        return KioskLink(
            token=token, kiosk_id=row.id, episode_id=episode.id, expires_at=row.expires_at
        )


def _open_link(uow: UnitOfWork, token: object, *, lock: bool) -> RatingKiosk:
    """The link of `token` if it still works now, else RatingLinkClosed."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise RatingLinkClosed()
    query = select(RatingKiosk).where(RatingKiosk.token_hash == _hash(token))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = uow.session.execute(query).scalar_one_or_none()
    if (
        row is None
        or row.used_at is not None
        or row.closed_at is not None
        or uow.now() >= row.expires_at
    ):
        raise RatingLinkClosed()
    return row


def rating_kiosk_page(uow: UnitOfWork, *, token: str) -> KioskPage:
    """What the kiosk page shows for a link that still works (RatingLinkClosed otherwise)."""
    with uow.read():
        row = _open_link(uow, token, lock=False)
        opener = uow.session.get(User, row.opened_by)
        if (
            opener is None
            or not opener.active
            or not allowed(opener.role, Permission.RECORD_RATING)
        ):
            raise RatingLinkClosed()
        episode = load_episode(uow.session, row.episode_id)
        patient = uow.session.get(Patient, episode.patient_id)
        ward = uow.session.get(Ward, patient.ward_id) if patient is not None else None
        if ward is None:  # pragma: no cover - foreign keys keep them
            raise RatingLinkClosed()
        return KioskPage(
            episode_id=episode.id,
            ward_name=ward.name,
            ward_timezone=ward.timezone,
            expires_at=row.expires_at,
        )


def rate_stay_at_kiosk(
    uow: UnitOfWork,
    *,
    token: str,
    stars: int,
    comment: str | None = None,
    client_address: str | None = None,
) -> RatingView:
    """Record the patient's rating through a rating link and use the link up, together.

    The link must still work (RatingLinkClosed otherwise, nothing stored); bad stars
    or comment are InputError and leave the link working.
    """
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InputError("stars", stars, "a whole number from 1 to 5")
    text = optional_text(comment, field="comment", max_length=2000)
    with uow:
        session = uow.session
        link = _open_link(uow, token, lock=True)
        opener = session.get(User, link.opened_by)
        if opener is None:  # pragma: no cover - foreign keys keep them
            raise RatingLinkClosed()
        try:
            acting = begin(
                uow,
                Actor(user_id=opener.id, role=opener.role, client_address=client_address),  # type: ignore[arg-type]
                Permission.RECORD_RATING,
            )
        except PermissionDenied:
            # The person who opened the link has left or changed role since: it is closed.
            raise RatingLinkClosed() from None
        rated = session.execute(
            select(PatientRating.id).where(PatientRating.episode_id == link.episode_id)
        ).first()
        if rated is not None:
            raise RatingLinkClosed()
        now = uow.now()
        row = PatientRating(
            episode_id=link.episode_id,
            stars=stars,
            comment=text,
            at=now,
            entered_by=acting.user_id,
        )
        session.add(row)
        session.flush()
        audit(
            uow,
            acting,
            "patient_rating.record",
            row,
            after={**snapshot(row), "via": "rating kiosk", "rating_kiosk_id": link.id},
        )
        before = snapshot(link)
        link.used_at = now
        link.rating_id = row.id
        audit(uow, acting, "rating_kiosk.use", link, before=before)
        uow.commit()
        return view(RatingView, row)
