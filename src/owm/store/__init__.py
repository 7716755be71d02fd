"""Storage: SQLAlchemy models, Alembic migrations, the audit chain and the unit of work.

`owm.store.models` (tables), `owm.store.uow` (UnitOfWork, clocks),
`owm.store.audit` (append, verify), `owm.store.migrate` (migrate(url)),
`owm.store.engine` (the database URL from the environment, make_engine).
"""
