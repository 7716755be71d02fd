"""`owm serve`: migrate the database, then run the app with uvicorn.

Why migrate here and not in the app: with `--workers N` every worker process
builds its own app, and the schema must be brought up to date exactly once,
before any of them answers. The secret key file (see `owm.http.settings`) is also
created here, once, so that every worker signs session cookies with the same key.
Each worker builds its app with `create_app()` from the same environment.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from owm.http.settings import SettingsError, api_settings_from_env
from owm.store.engine import is_sqlite

__all__ = ["LOG_LEVELS", "run_server"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
UNSIGNED_WARNING = (
    "WARNING: OWM_CDS_ALLOW_UNSIGNED=1: the CDS Hooks service accepts requests without a "
    "signed JWT. Never set this outside a test system.\n"
)


def run_server(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    fail: Callable[[str], NoReturn],
) -> None:
    """Check the settings, migrate, warn about unsafe settings, and serve until stopped."""
    import uvicorn

    from owm.cds import ConfigError, cds_config_from_env
    from owm.store.migrate import migrate

    if log_level not in LOG_LEVELS:
        fail(f"--log-level: {log_level!r} is not allowed; allowed: {', '.join(LOG_LEVELS)}")
    try:
        settings = api_settings_from_env()
    except SettingsError as error:
        fail(str(error))
    try:
        migrate(settings.database_url)
    except ValueError as error:
        fail(str(error))
    try:
        cds = cds_config_from_env()
    except ConfigError as error:
        fail(str(error))
    if cds.allow_unsigned:
        sys.stderr.write(UNSIGNED_WARNING)
    if workers > 1 and is_sqlite(settings.database_url):
        sys.stderr.write(
            f"note: {workers} workers share one SQLite file; writes are serialised. "
            "Use PostgreSQL (OWM_DATABASE_URL) for several workers or machines.\n"
        )
    uvicorn.run(
        "owm.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
