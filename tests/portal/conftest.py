"""Fixtures for the portal's tests: a real SQLite file, the live IA sandbox, and
the portal's own routes configured for that sandbox.

`make_portal` is the one place that builds the portal's test environment: every
test of the routes gets its settings from `portal_env`, so a new setting is
added here once.
"""

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from ia_portal import (
    inspector,
    models,  # noqa: F401  (registers the tables)
)
from ia_portal.config import get_settings
from ia_portal.db import get_engine
from ia_portal.routes import create_routes
from tests.sandbox_harness import (  # noqa: F401  (fixtures, found by name)
    CLIENT_ID,
    CLIENT_SECRET,
    Partner,
    live_sandbox,
    make_live_sandbox,
    partner,
)

# A Fernet key for the tests only; it seals the tokens of throw-away databases.
TEST_TOKEN_KEY = "OlAQdObGLi22QVUcjwK_CF_yJuG3d2IGEdoq2indp0s="


@pytest.fixture(autouse=True)
def required_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings that have no default, so no test depends on a `.env` file.

    Storing a user seals their token, which reads the settings (and the key).
    """
    for name in ("IA_CLIENT_ID", "IA_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEYS"):
        monkeypatch.setenv(name, portal_env(Path(), "", "")[name])
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# A PostgreSQL server URL (e.g. postgresql+psycopg://postgres:pw@127.0.0.1/postgres)
# runs these tests on PostgreSQL, each on a database of its own; unset: SQLite.
POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "")

sqlite_only = pytest.mark.skipif(
    bool(POSTGRES), reason="reads SQLite's own files or settings"
)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: a SQLite file, or a PostgreSQL one."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    inspector.flush()  # the steps queued for this database, before it goes
    get_engine.cache_clear()
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A session on a fresh database holding the portal's tables."""
    engine = sa.create_engine(database_url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def portal_env(
    tmp_path: Path, ia_server_url: str, callback_url: str, database_url: str = ""
) -> dict[str, str]:
    """The portal's settings for a test: IA at `ia_server_url`, a fresh database."""
    return {
        "IA_SERVER_URL": ia_server_url,
        "IA_CLIENT_ID": CLIENT_ID,
        "IA_CLIENT_SECRET": CLIENT_SECRET,
        "IA_CALLBACK_URL": callback_url,
        "IA_HTTP_TIMEOUT": "5",
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'portal.db'}",
        "TOKEN_ENCRYPTION_KEYS": TEST_TOKEN_KEY,
    }


@pytest.fixture
def make_portal(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    partner: Partner,  # noqa: F811  (the harness's fixture, re-exported above)
) -> Iterator[Callable[..., TestClient]]:
    """Build the portal's routes for the IA at a given URL, on a fresh database.

    `make_portal(ia_server_url, IA_HTTP_TIMEOUT="1")` overrides settings by
    their environment names. The settings and engine caches are cleared before
    and after, so no test sees another's configuration.
    """
    monkeypatch.chdir(tmp_path)  # no .env here: only what the test sets
    opened: list[TestClient] = []

    def make(ia_server_url: str, **overrides: str) -> TestClient:
        env = portal_env(tmp_path, ia_server_url, partner.url, database_url)
        env |= overrides
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        get_engine.cache_clear()
        SQLModel.metadata.create_all(get_engine())
        client = TestClient(create_routes())
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)
    inspector.flush()  # the steps queued for this test's database
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def portal_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """`caplog`, catching every `ia_portal.*` record at INFO and above.

    Importing the Reflex app runs `configure_logging`, which stops the
    `ia_portal` logger from propagating to the root logger where `caplog`
    listens. So caplog's handler is put on that logger itself, first, before
    the redacting handler rewrites a record: the test sees the raw lines.
    """
    logger = logging.getLogger("ia_portal")
    saved = (logger.level, logger.propagate)
    logger.handlers.insert(0, caplog.handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # caplog's handler is already on this logger
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.setLevel(saved[0])
    logger.propagate = saved[1]


@pytest.fixture
def sandbox(live_sandbox: str) -> Iterator[httpx.Client]:  # noqa: F811
    """A client of the live sandbox, as the frame's and phone's scripts are."""
    with httpx.Client(base_url=live_sandbox, trust_env=False) as client:
        yield client
