"""What the HTTP server reads from the environment, on top of `owm.store.engine.Settings`.

Why a secret key file: session cookies are signed, and every server process of a
unit (`owm serve --workers N`, or several machines) must sign with the same key.
`OWM_SECRET_KEY` sets it; without it the key is read from `<data dir>/secret_key`,
created once (mode 0600) with 32 random bytes. Several machines sharing a
PostgreSQL database must set `OWM_SECRET_KEY` to the same value.

Environment variables:
    OWM_SECRET_KEY            key that signs session cookies (default: the key file)
    OWM_COOKIE_SECURE         1: session cookies only over HTTPS (set behind TLS); default 0
    OWM_SESSION_HOURS         how long a page session lasts; default 12
    OWM_LOGIN_MAX_FAILURES    failed logins allowed per username and per address; default 5
    OWM_LOGIN_WINDOW_MINUTES  ... within this many minutes; default 15
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from owm.store.engine import settings_from_env

__all__ = ["ApiSettings", "SettingsError", "api_settings_from_env", "load_or_create_secret"]

SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """An environment variable with a value that is not allowed (names it and what is allowed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiSettings:
    """Everything `create_app` needs to know."""

    database_url: str
    data_dir: Path
    secret_key: str
    cookie_secure: bool = False
    session_max_age: timedelta = timedelta(hours=12)
    login_max_failures: int = 5
    login_window: timedelta = timedelta(minutes=15)


def _flag(env: dict[str, str] | os._Environ[str], name: str) -> bool:
    value = env.get(name, "").strip()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise SettingsError(f"{name}: {value!r} is not allowed; allowed: 1 or 0")


def _positive_int(env: dict[str, str] | os._Environ[str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name}: {value!r} is not allowed; allowed: a whole number >= 1")
    return int(value)


def load_or_create_secret(data_dir: Path) -> str:
    """The key in `<data_dir>/secret_key`, created (0600, 32 random bytes) when missing."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    # Another process may have just created it: wait until its line is complete.
    for _ in range(100):
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= MIN_SECRET_LENGTH:
            return text
        time.sleep(0.01)
    raise SettingsError(f"{path}: the secret key is shorter than {MIN_SECRET_LENGTH} characters")


def api_settings_from_env(environ: dict[str, str] | None = None) -> ApiSettings:
    """Settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    base = settings_from_env(dict(env))
    secret = env.get("OWM_SECRET_KEY", "").strip()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"OWM_SECRET_KEY: a key of {len(secret)} characters is not allowed; "
            f"allowed: at least {MIN_SECRET_LENGTH} characters"
        )
    return ApiSettings(
        database_url=base.database_url,
        data_dir=base.data_dir,
        secret_key=secret or load_or_create_secret(base.data_dir),
        cookie_secure=_flag(env, "OWM_COOKIE_SECURE"),
        session_max_age=timedelta(hours=_positive_int(env, "OWM_SESSION_HOURS", 12)),
        login_max_failures=_positive_int(env, "OWM_LOGIN_MAX_FAILURES", 5),
        login_window=timedelta(minutes=_positive_int(env, "OWM_LOGIN_WINDOW_MINUTES", 15)),
    )
