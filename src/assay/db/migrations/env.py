"""Alembic environment: runs migrations against the URL put in the config by assay.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool

from assay.db import models  # noqa: F401 - registers every table on Base.metadata
from assay.db.base import Base
from assay.db.session import build_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = build_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a column by rebuilding its table (batch mode): copy, drop, rename. With
            # foreign keys enforced, dropping a table other rows point at fails, so enforcement is off
            # while migrating and every reference is checked afterwards. The pragma only takes effect
            # outside a transaction, hence on the driver connection before the migration's BEGIN.
            _driver_sql(connection, "PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=sqlite, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            dangling = _driver_sql(connection, "PRAGMA foreign_key_check")
            _driver_sql(connection, "PRAGMA foreign_keys=ON")
            if dangling:
                raise RuntimeError(f"the migration left references to missing rows: {dangling[:5]}")
    engine.dispose()


def _driver_sql(connection: Connection, sql: str) -> list[tuple[object, ...]]:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
