"""Storing what IA says about a user: one row per IA user id, updated in place."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import Session, select

from ia_portal.models import IACallback, IAUser, utcnow
from ia_portal.protocol import IAUserData

logger = logging.getLogger(__name__)


def _apply(user: IAUser, data: IAUserData, access_token: str) -> None:
    user.username = data.username
    user.email = data.email
    user.name = data.name
    user.phone = data.phone
    user.profile_items = dict(data.items)
    user.access_token = access_token
    # A new sign-in gives a new token: access is restored if it was revoked.
    user.access_revoked_at = None
    user.last_synced_at = utcnow()


def store_signed_in_user(
    session: Session, data: IAUserData, access_token: str
) -> IAUser:
    """Upsert the user IA vouched for and record the callback, in one transaction.

    A second sign-in of the same IA user updates their row; it never adds one.
    Nothing is written unless both the user and the callback record are.
    """
    return store_approval(session, data, access_token)[0]


def store_approval(
    session: Session, data: IAUserData, access_token: str
) -> tuple[IAUser, int]:
    """`store_signed_in_user`, also returning the stored callback's id."""
    for _ in range(2):
        try:
            user = session.exec(
                select(IAUser).where(IAUser.ia_user_id == data.user_id)
            ).first()
            if user is None:
                user = IAUser(ia_user_id=data.user_id)
            _apply(user, data, access_token)
            session.add(user)
            callback = IACallback(ia_user_id=data.user_id)
            session.add(callback)
            session.commit()
            break
        except sa.exc.IntegrityError:
            # Another callback for the same new user won the insert: update theirs.
            session.rollback()
    else:
        raise RuntimeError(f"could not store IA user {data.user_id}")

    session.refresh(user)
    logger.info("stored IA user %s (portal id %s)", data.user_id, user.id)
    assert callback.id is not None
    return user, callback.id


def find_users_by_login(session: Session, username_or_email: str) -> list[IAUser]:
    """Stored users whose username or email is what the person typed into IA.

    Case is ignored, as IA's frame ignores it. More than one user can match when
    one person's username is another's email; the caller decides between them.
    """
    login = username_or_email.strip().lower()
    if not login:
        return []
    matches = sa.or_(
        sa.func.lower(IAUser.username) == login,
        sa.func.lower(IAUser.email) == login,
    )
    return list(session.exec(select(IAUser).where(matches)).all())
