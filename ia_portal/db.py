"""The database engine, built once from `DATABASE_URL`."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlmodel import Session

from ia_portal.config import get_settings


@functools.cache
def get_engine() -> sa.Engine:
    """The process-wide engine for the configured database."""
    # hide_parameters keeps bound values (access tokens) out of error messages.
    return sa.create_engine(
        get_settings().database_url, pool_pre_ping=True, hide_parameters=True
    )


def open_session() -> Session:
    """A new ORM session; use it as a context manager and commit explicitly."""
    return Session(get_engine(), expire_on_commit=False)
