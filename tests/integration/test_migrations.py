"""The migrations and the models agree, on both databases, and migrating is safe to repeat."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from owm.store.migrate import head_revision, migrate
from owm.store.models import Base


def test_autogenerate_finds_no_difference_between_models_and_migrations(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_database_is_at_the_newest_revision_and_migrating_again_changes_nothing(database):
    migrate(database.url)
    with database.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        head = connection.execute(text("SELECT seq, hash FROM audit_head")).one()
    assert version == head_revision()
    assert tuple(head) == (0, "0" * 64)
    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())


def test_the_migrations_ship_inside_the_package():
    from importlib import resources

    versions = resources.files("owm.store").joinpath("migrations", "versions")
    names = [
        p.name for p in versions.iterdir() if p.name.endswith(".py") and p.name != "__init__.py"
    ]
    assert any(name.startswith(head_revision() + "_") for name in names)
