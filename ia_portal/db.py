"""The database engine, built once from `DATABASE_URL`."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ia_portal.config import get_settings

# How long a SQLite writer waits for another one's commit before it gives up.
SQLITE_BUSY_TIMEOUT_MS = 5000


@functools.cache
def get_engine() -> sa.Engine:
    """The process-wide engine for the configured database."""
    url = sa.make_url(get_settings().database_url)
    sqlite = url.get_backend_name() == "sqlite"
    engine = sa.create_engine(
        url,
        pool_pre_ping=True,
        # Keeps bound values (sealed tokens, ids) out of error messages.
        hide_parameters=True,
        # Pooled connections serve Starlette's and Reflex's worker threads, one
        # thread at a time; SQLite's same-thread guard would refuse that.
        connect_args={"check_same_thread": False} if sqlite else {},
    )
    if sqlite:
        sa.event.listen(engine, "connect", _sqlite_for_concurrent_writes)
    return engine


def _sqlite_for_concurrent_writes(dbapi_connection: Any, _record: Any) -> None:
    """Let IA's concurrent callbacks and page loads share one SQLite file.

    WAL: readers and the one writer no longer block each other. busy_timeout:
    a writer that finds the file locked waits for the other's commit instead
    of failing at once with "database is locked".
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def open_session() -> Session:
    """A new ORM session; use it as a context manager and commit explicitly."""
    return Session(get_engine(), expire_on_commit=False)
