"""Password hashing with argon2id (argon2-cffi).

The default parameters are RFC 9106's low-memory profile. `OWM_PASSWORD_PROFILE=cheapest`
selects argon2-cffi's cheapest profile, for test runs only (it is not safe for
real passwords). A stored hash made with older parameters is upgraded at the next
successful sign-in (`needs_rehash`).
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


def _hasher() -> PasswordHasher:
    name = os.environ.get("OWM_PASSWORD_PROFILE", "rfc9106-low-memory")
    if name not in _PROFILES:
        raise ValueError(f"OWM_PASSWORD_PROFILE {name!r}; allowed: {', '.join(_PROFILES)}")
    return PasswordHasher.from_parameters(_PROFILES[name])


_DUMMY = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash (a missing hash never matches).

    A missing hash still costs one verification, so timing does not tell whether a
    user exists.
    """
    try:
        return _hasher().verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)
