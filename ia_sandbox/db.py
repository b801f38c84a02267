"""The engine and sessions for the sandbox's own database."""

import logging
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from ia_sandbox.config import Settings
from ia_sandbox.models import SandboxModel

logger = logging.getLogger(__name__)


def make_engine(settings: Settings) -> Engine:
    """An engine for ``SANDBOX_DATABASE_URL``.

    For SQLite, connections may cross threads (Starlette runs sync handlers
    in a thread pool) and the journal is WAL, so the phone's polling reads
    never block the writer that approves a request.
    """
    url = settings.database_url
    if not url.startswith("sqlite"):
        return create_engine(url)

    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def create_tables(engine: Engine) -> None:
    """Create the sandbox's tables if they do not exist yet."""
    SandboxModel.metadata.create_all(engine)
    logger.info("database ready at %s", engine.url.render_as_string())


def session(engine: Engine) -> Session:
    """A new session; use it as a context manager and commit explicitly."""
    return Session(engine, expire_on_commit=False)
