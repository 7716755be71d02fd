"""Who is acting: the signed-in user's id and role, and where the request came from.

The HTTP layer (or the web pages, or the CLI) builds an `Actor` after it has
authenticated someone; every service function takes one, checks the permission
matrix, and writes it into the audit trail. The stored user is the authority:
a deactivated user, or one whose role has changed since sign-in, is refused.
`Actor.system()` is owm itself (CLI commands, the demo): it may manage users and
wards but never records a clinical entry, which always needs a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["ROLES", "Actor", "Role"]

Role = Literal["nurse", "physician", "pharmacist", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user. `user_id` is None only for the system actor."""

    user_id: int | None
    role: Role
    client_address: str | None = None
    system_name: str | None = None

    @classmethod
    def system(cls, name: str = "owm-cli") -> Actor:
        return cls(user_id=None, role="admin", client_address=None, system_name=name)

    @property
    def is_system(self) -> bool:
        return self.user_id is None
