"""Fixtures for the portal's tests: a real SQLite file, and the live IA sandbox."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from ia_portal import models  # noqa: F401  (registers the tables)
from tests.sandbox_harness import (  # noqa: F401  (fixtures, found by name)
    live_sandbox,
    make_live_sandbox,
    partner,
)


@pytest.fixture
def db(tmp_path) -> Iterator[Session]:
    """A session on a fresh SQLite file holding the portal's tables."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
