"""Alembic environment for owm: the URL comes from owm's configuration.

`owm.store.migrate.migrate(url)` passes the URL in the Alembic config; run by hand
(`alembic -c ...`) without one, `OWM_DATABASE_URL` (or the default SQLite file) is
used. The engine is owm's own (`owm.store.engine.make_engine`), so SQLite runs with the
same pragmas and an immediate transaction, and migrations from two processes
starting at once are serialised: SQLite's write lock, PostgreSQL's advisory lock.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import text
from sqlalchemy.types import TypeDecorator

from owm.store.engine import is_sqlite, make_engine, settings_from_env
from owm.store.models import Base

MIGRATION_LOCK = 0x6F776D  # "owm": advisory lock key for migrations on PostgreSQL

config = context.config
target_metadata = Base.metadata


def render_item(
    type_: str,
    obj: Any,
    autogen_context: Any,  # noqa: ARG001 (Alembic's render_item signature)
) -> str | Literal[False]:
    """Write owm's column types as the plain SQLAlchemy type they store, so that a
    migration never depends on application code that may change later."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or settings_from_env().database_url


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=is_sqlite(url),
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=True,
                render_as_batch=is_sqlite(url),
                render_item=render_item,
                transaction_per_migration=False,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
