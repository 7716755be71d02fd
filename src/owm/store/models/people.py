"""Wards, users and API tokens: who works where, and how they sign in.

A ward carries its IANA time zone (night, course day and screens use it), the
id of the protocol it runs and its phone contact (printed on the patient sheet
and the handoff). A user has one role (nurse, physician, pharmacist,
admin); passwords are argon2 hashes and API tokens are stored only as SHA-256
hashes of high-entropy random strings, so the database never holds a secret.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, utc
from owm.store.types import UTCDateTime

__all__ = ["ROLES", "ApiToken", "User", "Ward"]

ROLES: tuple[str, ...] = ("nurse", "physician", "pharmacist", "admin")


class Ward(Base):
    __tablename__ = "ward"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    protocol_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = utc()
    contact: Mapped[str | None] = mapped_column(String(100))
    """How patients and other services reach the ward (a phone number), set by an admin."""


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('nurse', 'physician', 'pharmacist', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = utc()
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = utc()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    expires_at: Mapped[datetime] = utc()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
