"""Keeping a stored profile in step with IA: re-fetch the user with their token.

IA's `POST {callback}` with `user_id` (and the profile page's Refresh button)
only say "this user may have changed". The POST carries no proof of origin, so
it is a hint and never data: what we store comes from `GET /api/public/user`
with the token we hold. A 401 there means the user withdrew our access.
"""

from __future__ import annotations

import enum
import logging

import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from ia_portal import ia_client
from ia_portal.config import Settings
from ia_portal.db import open_session
from ia_portal.models import IAUser, ProfileChange, utcnow
from ia_portal.protocol import IAUserData

logger = logging.getLogger(__name__)

# Fields kept in their own columns; every item is also in `profile_items`.
_COLUMNS = ("username", "email", "name", "phone")


class ResyncResult(enum.StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REVOKED = "revoked"


class UnknownUser(LookupError):
    """No stored user has this IA user id."""


async def resync(settings: Settings, ia_user_id: int) -> ResyncResult:
    """Re-fetch one user from IA with their stored token and store the result.

    Re-syncs of one user may run at once, in any backend worker: each takes a
    ticket from the database before it asks IA, and its answer is stored only
    if no re-sync that asked later has stored its own (`_newest`). So a slow
    fetch of old data never overwrites a newer one, and nothing about the
    order lives in a worker's memory. (A lock held across the call to IA
    would need an expiry, and an expired lock lets two writers in.)

    Raises:
        UnknownUser: no such user here; nothing is written.
        ia_client.IAError: IA failed or answered outside the protocol; nothing
            is written.
    """
    token, ticket = await run_in_threadpool(_take_ticket, ia_user_id)
    if token is None:
        logger.info("re-sync of IA user %s: access already revoked", ia_user_id)
        return ResyncResult.REVOKED

    try:
        data = await ia_client.fetch_user(settings, token)
    except ia_client.IARefused as refused:
        if refused.status_code not in (401, 403):
            raise
        await run_in_threadpool(_revoke, ia_user_id, token, ticket)
        logger.info("re-sync of IA user %s: IA says access is revoked", ia_user_id)
        return ResyncResult.REVOKED

    if data.user_id != ia_user_id:
        raise ia_client.IABadAnswer("IA answered with another user for this token")
    changed = await run_in_threadpool(_apply, data, token, ticket)
    logger.info("re-sync of IA user %s: %s", ia_user_id, changed)
    return changed


def _take_ticket(ia_user_id: int) -> tuple[str | None, int]:
    """The user's token, and this re-sync's place in the order of their re-syncs."""
    with open_session() as session:
        taken = session.exec(
            sa.update(IAUser)
            .where(col(IAUser.ia_user_id) == ia_user_id)
            .values(sync_tickets=col(IAUser.sync_tickets) + 1)
        )
        if taken.rowcount != 1:
            raise UnknownUser(ia_user_id)
        # The update holds the row until the commit: no other ticket is the same.
        user = session.exec(select(IAUser).where(IAUser.ia_user_id == ia_user_id)).one()
        session.commit()
    return user.access_token, user.sync_tickets


def _newest(session: Session, ia_user_id: int, ticket: int) -> bool:
    """Mark `ticket`'s answer as the stored one, unless a later ticket's is.

    Uncommitted: the caller commits with its writes, or drops both. The update
    holds the user's row until then, so concurrent writers go one at a time.
    """
    marked = session.exec(
        sa.update(IAUser)
        .where(col(IAUser.ia_user_id) == ia_user_id)
        .where(col(IAUser.synced_ticket) < ticket)
        .values(synced_ticket=ticket)
    )
    return marked.rowcount == 1


def _revoke(ia_user_id: int, token: str, ticket: int) -> None:
    """Drop the token IA refused, unless something newer is stored.

    Newer: a sign-in's token, or the answer of a re-sync that asked IA later.
    """
    with open_session() as session:
        if not _newest(session, ia_user_id, ticket):
            return
        user = session.exec(select(IAUser).where(IAUser.ia_user_id == ia_user_id)).one()
        if user.access_token != token:
            return  # closing the session unmarks the ticket
        user.access_token = None
        user.access_revoked_at = utcnow()
        session.add(user)
        assert user.id is not None
        session.add(ProfileChange(user_id=user.id, revoked=True))
        session.commit()


def _apply(data: IAUserData, token: str, ticket: int) -> ResyncResult:
    """Store what IA returned; record which items changed."""
    with open_session() as session:
        if not _newest(session, data.user_id, ticket):
            # A re-sync that asked IA after this one already stored its answer.
            return ResyncResult.UNCHANGED
        user = session.exec(
            select(IAUser).where(IAUser.ia_user_id == data.user_id)
        ).one()
        if user.access_token != token:
            # A sign-in stored a newer token (and newer data) while we fetched.
            return ResyncResult.UNCHANGED

        before = {**user.profile_items, **{c: getattr(user, c) for c in _COLUMNS}}
        after = {**data.items, **{c: getattr(data, c) for c in _COLUMNS}}
        changes = {
            key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if (before.get(key) or None) != (after.get(key) or None)
        }
        for column in _COLUMNS:
            setattr(user, column, getattr(data, column))
        user.profile_items = dict(data.items)
        user.last_synced_at = utcnow()
        session.add(user)
        if changes:
            assert user.id is not None
            session.add(ProfileChange(user_id=user.id, changes=changes))
        session.commit()
    return ResyncResult.UPDATED if changes else ResyncResult.UNCHANGED
