"""What the portal's tests read back: stored rows and the warnings logged."""

import logging

import pytest
from sqlmodel import select

from ia_portal.db import open_session
from ia_portal.models import IACallback, IAUser


def stored_rows() -> tuple[list[tuple[object, ...]], int]:
    """The stored users (id, username, email, name, phone) and callback count."""
    with open_session() as session:
        users = session.exec(select(IAUser)).all()
        callbacks = session.exec(select(IACallback)).all()
    columns = [(u.ia_user_id, u.username, u.email, u.name, u.phone) for u in users]
    return columns, len(callbacks)


def portal_warnings(log: pytest.LogCaptureFixture) -> list[str]:
    """The WARNING lines the portal's own loggers wrote."""
    return [
        record.getMessage()
        for record in log.records
        if record.name.startswith("ia_portal") and record.levelno == logging.WARNING
    ]
