"""CDS Hooks: the JWT ids (`jti`) already accepted, so a token is used once across every server.

Why in the database: with several server processes, or several machines, a
memory of seen tokens per process would let a captured token be replayed once
against each of them. A row holds the SHA-256 of issuer and `jti` (the primary
key: two processes accepting the same token at once collide on it, and only one
wins) and when the token expires; rows past that time are deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from owm.store.base import Base, utc

__all__ = ["CdsSeenToken"]


class CdsSeenToken(Base):
    __tablename__ = "cds_seen_token"
    __table_args__ = (Index("ix_cds_seen_token_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Hex SHA-256 of `<iss>` newline `<jti>`."""
    expires_at: Mapped[datetime] = utc()
