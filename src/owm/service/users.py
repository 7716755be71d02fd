"""Users and access: create a user, set a password, deactivate, API tokens, sign in.

Only admins manage users (the permission matrix); anyone may issue and revoke
their own API tokens. Passwords are argon2id hashes; a token is 32 random bytes
shown once (`owm_<prefix>_<secret>`) and stored as its SHA-256. Signing in checks
the password (or token) and that the user is active; rate limiting is the HTTP
layer's. Every change, and every sign-in attempt for a known username, is audited.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from owm.service.actor import ROLES, Actor
from owm.service.common import Acting, audit, begin, required_text, snapshot
from owm.service.errors import (
    AuthenticationFailed,
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
)
from owm.service.passwords import hash_password, needs_rehash, verify_password
from owm.service.permissions import Permission, allowed
from owm.service.results import IssuedToken, TokenView, UserView, view
from owm.store.models import ApiToken, User
from owm.store.uow import UnitOfWork

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "authenticate_token",
    "create_user",
    "deactivate_user",
    "get_user",
    "issue_token",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_TOKEN_DAYS = 366
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


def _without_secret(user: User) -> dict[str, object]:
    data = snapshot(user)
    data.pop("password_hash", None)
    return data


def _check_password(password: object) -> str:
    if not isinstance(password, str) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise InputError(
            "password",
            "(hidden)",
            f"a password of {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
        )
    return password


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: str,
    password: str | None,
) -> UserView:
    """Create a user (admins only). `username`: 2-63 of a-z 0-9 . _ - ; `role`: nurse,
    physician, pharmacist, admin; `password`: 10+ characters, or None for a user who
    signs in only with API tokens. Conflict when the username is taken."""
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise InputError(
            "username", username, "2-63 characters: lower-case letters, digits, '.', '_', '-'"
        )
    name = required_text(full_name, field="full_name", max_length=200)
    if role not in ROLES:
        raise InputError("role", role, ", ".join(ROLES))
    hashed = None if password is None else hash_password(_check_password(password))
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_USERS)
        taken = uow.session.execute(select(User.id).where(User.username == username)).first()
        if taken is not None:
            raise Conflict(f"username {username!r} is already taken")
        now = uow.now()
        user = User(
            username=username,
            full_name=name,
            role=role,
            password_hash=hashed,
            active=True,
            created_at=now,
            password_changed_at=now if hashed else None,
        )
        uow.session.add(user)
        audit(uow, acting, "user.create", user, after=_without_secret(user))
        uow.commit()
        return view(UserView, user)


def get_user(uow: UnitOfWork, actor: Actor, *, user_id: int) -> UserView:
    """One user (admins, or the user themself)."""
    with uow.read():
        _self_or_admin(uow, actor, user_id)
        return view(UserView, _user(uow, user_id))


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserView]:
    """Every user, by username (admins only)."""
    with uow.read():
        begin(uow, actor, Permission.MANAGE_USERS)
        rows = uow.session.execute(select(User).order_by(User.username)).scalars()
        return [view(UserView, u) for u in rows]


def _self_or_admin(uow: UnitOfWork, actor: Actor, user_id: int) -> Acting:
    if actor.user_id == user_id:
        return begin(uow, actor, Permission.MANAGE_OWN_TOKENS)
    return begin(uow, actor, Permission.MANAGE_USERS)


def set_password(
    uow: UnitOfWork,
    actor: Actor,
    *,
    user_id: int,
    new_password: str,
    current_password: str | None = None,
) -> UserView:
    """Set a user's password: an admin for anyone; a user for themself, with the current one."""
    _check_password(new_password)
    hashed = hash_password(new_password)
    with uow:
        acting = _self_or_admin(uow, actor, user_id)
        user = _user(uow, user_id)
        if not allowed(acting.role, Permission.MANAGE_USERS) and not verify_password(
            user.password_hash, current_password or ""
        ):
            raise PermissionDenied(acting.role, "set-password", "the current password is wrong")
        user.password_hash = hashed
        user.password_changed_at = uow.now()
        audit(
            uow,
            acting,
            "user.set-password",
            user,
            after={"password_changed_at": user.password_changed_at},
        )
        uow.commit()
        return view(UserView, user)


def deactivate_user(uow: UnitOfWork, actor: Actor, *, user_id: int) -> UserView:
    """Deactivate a user (admins only): they can no longer sign in, and their tokens stop
    working. Their entries stay, attributed to them. An admin cannot deactivate themself."""
    with uow:
        acting = begin(uow, actor, Permission.MANAGE_USERS)
        if actor.user_id == user_id:
            raise Conflict("you cannot deactivate yourself")
        user = _user(uow, user_id)
        before = _without_secret(user)
        if user.active:
            user.active = False
            user.deactivated_at = uow.now()
            audit(uow, acting, "user.deactivate", user, before=before, after=_without_secret(user))
            uow.commit()
        return view(UserView, user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    uow: UnitOfWork,
    actor: Actor,
    *,
    user_id: int,
    name: str,
    expires_in: timedelta = timedelta(days=90),
) -> IssuedToken:
    """Issue an API token for `user_id` (yourself, or anyone if admin). The token text is
    returned once; only its hash is stored. Expires after `expires_in` (at most 366 days)."""
    label = required_text(name, field="name", max_length=200)
    if not timedelta(minutes=1) <= expires_in <= timedelta(days=MAX_TOKEN_DAYS):
        raise InputError("expires_in", str(expires_in), f"1 minute to {MAX_TOKEN_DAYS} days")
    prefix = secrets.token_hex(4)
    token = f"owm_{prefix}_{secrets.token_urlsafe(32)}"
    with uow:
        acting = _self_or_admin(uow, actor, user_id)
        user = _user(uow, user_id)
        if not user.active:
            raise Conflict(f"user {user.username!r} is not active")
        now = uow.now()
        row = ApiToken(
            user_id=user.id,
            name=label,
            token_hash=_token_hash(token),
            prefix=prefix,
            created_at=now,
            created_by=acting.user.id if acting.user else None,
            expires_at=now + expires_in,
        )
        uow.session.add(row)
        audit(uow, acting, "api_token.issue", row)
        uow.commit()
        return IssuedToken(token=token, info=view(TokenView, row))


def list_tokens(uow: UnitOfWork, actor: Actor, *, user_id: int) -> list[TokenView]:
    """A user's tokens (yourself, or anyone if admin), newest first; secrets are never shown."""
    with uow.read():
        _self_or_admin(uow, actor, user_id)
        rows = uow.session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        ).scalars()
        return [view(TokenView, t) for t in rows]


def revoke_token(uow: UnitOfWork, actor: Actor, *, token_id: int) -> TokenView:
    """Revoke a token (your own, or anyone's if admin). Revoking twice is harmless."""
    with uow:
        token = uow.session.get(ApiToken, token_id)
        if token is None:
            begin(uow, actor, Permission.MANAGE_OWN_TOKENS)
            raise NotFound("api_token", token_id)
        acting = _self_or_admin(uow, actor, token.user_id)
        if token.revoked_at is None:
            before = snapshot(token)
            token.revoked_at = uow.now()
            token.revoked_by = acting.user.id if acting.user else None
            audit(uow, acting, "api_token.revoke", token, before=before)
            uow.commit()
        return view(TokenView, token)


def _signed_in(user: User, address: str | None) -> Actor:
    return Actor(user_id=user.id, role=user.role, client_address=address)  # type: ignore[arg-type]


def authenticate(
    uow: UnitOfWork, *, username: str, password: str, client_address: str | None = None
) -> Actor:
    """Check a username and password; the Actor for the user, or AuthenticationFailed.

    An unknown user, a wrong password and an inactive user all fail the same way.
    Attempts for a known username are audited (user.sign-in, user.sign-in-failed).
    """
    with uow:
        user = uow.session.execute(
            select(User).where(User.username == username)
        ).scalar_one_or_none()
        good = verify_password(user.password_hash if user else None, password)
        if user is None:
            raise AuthenticationFailed("wrong username or password")
        acting = Acting(Actor(user.id, user.role, client_address), user)  # type: ignore[arg-type]
        if not good or not user.active:
            audit(
                uow,
                acting,
                "user.sign-in-failed",
                user,
                after={"reason": "inactive" if good else "wrong password"},
            )
            uow.commit()
            raise AuthenticationFailed("wrong username or password")
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit(uow, acting, "user.sign-in", user, after={"username": user.username})
        uow.commit()
        return _signed_in(user, client_address)


def authenticate_token(uow: UnitOfWork, *, token: str, client_address: str | None = None) -> Actor:
    """The Actor for a bearer token, or AuthenticationFailed (unknown, expired, revoked,
    or its user inactive). Nothing is written: a token check is a read."""
    if not isinstance(token, str) or not token.startswith("owm_") or len(token) > 200:
        raise AuthenticationFailed("invalid token")
    with uow.read():
        row = uow.session.execute(
            select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
        ).scalar_one_or_none()
        now: datetime = uow.now()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise AuthenticationFailed("invalid token")
        user = uow.session.get(User, row.user_id)
        if user is None or not user.active:
            raise AuthenticationFailed("invalid token")
        return _signed_in(user, client_address)
