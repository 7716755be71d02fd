"""Users, API tokens and wards: what clients send and what the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictInt

from owm.api.schemas.common import Input, Output, ShortText, codes
from owm.service.actor import ROLES

__all__ = [
    "IssuedTokenOut",
    "PasswordIn",
    "TokenIn",
    "TokenOut",
    "TokenRequest",
    "UserIn",
    "UserOut",
    "WardIn",
    "WardOut",
]

Password = Annotated[str, Field(min_length=1, max_length=1024)]
Days = Annotated[StrictInt, Field(ge=1, le=366, description="Days until the token expires.")]


class TokenRequest(Input):
    """Sign in with a username and password to get an API token."""

    username: Annotated[str, Field(min_length=1, max_length=200)]
    password: Password
    name: ShortText = "api"
    expires_in_days: Days = 90


class TokenIn(Input):
    """A new token for the signed-in user (or, for admins, for `user_id`)."""

    name: ShortText = "api"
    expires_in_days: Days = 90


class TokenOut(Output):
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class IssuedTokenOut(Output):
    """A new token: `token` is shown this once and never stored (only its hash is)."""

    token: str
    token_type: str = "bearer"
    info: TokenOut


class UserIn(Input):
    username: Annotated[str, Field(min_length=2, max_length=63, examples=["nurse.jones"])]
    full_name: ShortText
    role: str = codes(ROLES)
    password: Password | None = Field(
        default=None, description="10 or more characters; none for a token-only user."
    )


class PasswordIn(Input):
    new_password: Password
    current_password: Password | None = Field(
        default=None, description="Needed when you change your own password (not as admin)."
    )


class UserOut(Output):
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: datetime


class WardIn(Input):
    name: ShortText
    timezone: Annotated[str, Field(max_length=64, examples=["Europe/London"])]
    protocol_id: Annotated[str, Field(max_length=100, examples=["clonazepam-adjunct"])]


class WardOut(Output):
    id: int
    name: str
    timezone: str
    protocol_id: str
