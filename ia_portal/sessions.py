"""Signed-in browsers: a random token in the browser, its SHA-256 in the database.

Sessions live in the database so that they survive a reload and a restart of
the backend, and end when the person signs out or the lifetime runs out.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ia_portal.models import IAUser, PortalSession, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_portal_session(
    session: Session, user: IAUser, lifetime: datetime.timedelta
) -> str:
    """Start a session for `user`; returns the token the browser must keep."""
    assert user.id is not None, "the user must be stored first"
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PortalSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> IAUser | None:
    """The user a live session token belongs to, or None."""
    if not token:
        return None
    row = session.exec(
        select(IAUser)
        .join(PortalSession, col(PortalSession.user_id) == IAUser.id)
        .where(PortalSession.token_hash == _hash(token))
        .where(col(PortalSession.ended_at).is_(None))
        .where(PortalSession.expires_at > utcnow())
    ).first()
    return row


def end_portal_session(session: Session, token: str) -> None:
    """Sign the browser holding `token` out; a second call changes nothing."""
    if not token:
        return
    session.exec(
        sa.update(PortalSession)
        .where(col(PortalSession.token_hash) == _hash(token))
        .where(col(PortalSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    session.commit()
