"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from assay.db import models  # noqa: F401 - registers the tables
from assay.db.base import Base
from assay.db.migrate import current_revision, head_revision


def test_schema_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_the_latest_migration_keeps_existing_credentials(database_url: str, sessions, rt) -> None:  # type: ignore[no-untyped-def]
    """0015 rebuilds decision_subjects and credentials (on SQLite, by copying the tables) while other
    rows point at them: run it down and up again over a database holding an issued credential."""
    from alembic import command
    from sqlalchemy import select, text

    from assay.db.migrate import alembic_config, upgrade
    from assay.db.models import IssuedCredential
    from tests.issuing import issue_foundation

    with sessions() as db:
        public_id = issue_foundation(db, rt, password="lantern-orbit-cedar-71").public_id
        db.commit()
    try:
        command.downgrade(alembic_config(database_url), "0014")
    finally:
        upgrade(database_url)
    with sessions() as db:
        credential = db.scalars(select(IssuedCredential).where(IssuedCredential.public_id == public_id)).one()
        assert credential.user_id is not None and credential.organisation_id is None
        if db.get_bind().dialect.name == "sqlite":
            assert db.execute(text("PRAGMA foreign_key_check")).all() == []
            assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
