"""A ward and its staff for a test: the ward, then one user (and actor) per role.

The store, API, end-to-end, system and FHIR import tests all begin the same way;
they differ only in the ward's name and zone, which roles they need, and the
usernames and password they sign in with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PASSWORD", "ROLES", "Staffed", "staffed_ward"]

ROLES = ("nurse", "physician", "pharmacist", "admin")
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Staffed:
    """The ward (as the service returned it) and the service-layer actor of each role's user."""

    ward: Any
    actors: dict[str, Any]

    @property
    def ward_id(self) -> int:
        ward_id: int = self.ward.id
        return ward_id


def staffed_ward(
    uow: Callable[[], Any],
    *,
    name: str = "Ward 7",
    timezone: str = "Europe/London",
    roles: Iterable[str] = ROLES,
    users: Mapping[str, tuple[str, str]] | None = None,
    password: str = PASSWORD,
    system: str = "test",
) -> Staffed:
    """Create the ward (clonazepam-adjunct protocol) and one user per role, as the system.

    `users` names each role's (username, full name); by default "nurse1", "A Nurse", ...
    Each step runs in its own unit of work from `uow()`.
    """
    from owm.service import users as user_service
    from owm.service import wards
    from owm.service.actor import Actor

    acting = Actor.system(system)
    ward = wards.create_ward(
        uow(), acting, name=name, timezone=timezone, protocol_id="clonazepam-adjunct"
    )
    actors: dict[str, Any] = {}
    for role in roles:
        username, full_name = (users or {}).get(role, (f"{role}1", f"A {role.title()}"))
        user = user_service.create_user(
            uow(), acting, username=username, full_name=full_name, role=role, password=password
        )
        actors[role] = Actor(user_id=user.id, role=role)  # type: ignore[arg-type]
    return Staffed(ward=ward, actors=actors)
