"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, each test on a clean database.

Isolation: SQLite tests copy a migrated template file; PostgreSQL tests get a per-worker database built
by the migrations once, emptied with TRUNCATE after each test. Either way the code under test opens
its own connections and commits for real, as it does in production.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from assay.core.clock import FrozenClock
from assay.db.base import Base
from assay.db.migrate import upgrade
from assay.db.session import build_engine, session_factory
from assay.infra.dns import MemoryDomainLookup
from assay.infra.email import MemoryMailer
from assay.infra.keys import MemoryKeyStore
from assay.infra.storage import MemoryFileStore
from assay.services.runtime import Runtime, build_runtime
from assay.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("ASSAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# A real Argon2id hasher with small parameters: the same code path, a fraction of the cost.
FAST_PASSWORDS = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def missing(what: str) -> None:
    """Locally a missing dependency skips; in CI it fails, so nothing is silently left untested."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not available here")


def worker_id(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of this worker's own, built by the migrations."""
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        missing(f"PostgreSQL at {POSTGRES_URL} ({type(exc).__name__})")
    # Unique per run as well as per worker: two runs on one server (a developer's and CI's) never collide.
    name = f"assay_test_{worker_id(request)}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "assay.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database")
    _truncate(url)
    yield url
    _truncate(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for a test to drive services with; the test commits when it wants later reads to see it."""
    session = sessions()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        base_url="http://testserver",
        secret_key="test-secret-key-not-for-production",
        http_allow_private_addresses=False,
    )


@pytest.fixture
def mailer() -> MemoryMailer:
    return MemoryMailer()


@pytest.fixture
def rt(settings: Settings, clock: FrozenClock, mailer: MemoryMailer) -> Runtime:
    return build_runtime(
        settings,
        clock=clock,
        mailer=mailer,
        files=MemoryFileStore(),
        passwords=FAST_PASSWORDS,
        keys=MemoryKeyStore(),
        dns=MemoryDomainLookup(),
    )
