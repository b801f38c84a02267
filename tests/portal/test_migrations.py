"""The migrations in alembic/ build exactly the schema the models describe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from ia_portal import models  # noqa: F401  (registers the tables)

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_the_models(tmp_path: Path, database_url: str) -> None:
    url = database_url
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "IA_CLIENT_ID": "c",
        "IA_CLIENT_SECRET": "s",
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
    }
    reflex = Path(sys.executable).parent / "reflex"
    done = subprocess.run(
        [str(reflex), "db", "migrate"], cwd=ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
