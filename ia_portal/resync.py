"""Keeping a stored profile in step with IA: re-fetch the user with their token.

IA's `POST {callback}` with `user_id` (and the profile page's Refresh button)
only say "this user may have changed". The POST carries no proof of origin, so
it is a hint and never data: what we store comes from `GET /api/public/user`
with the token we hold. A 401 there means the user withdrew our access.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import weakref

from sqlmodel import select
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


# One lock per IA user: re-syncs of one user run one after another, so a slow
# fetch of old data can never overwrite a newer one. Burst hints queue here.
# Limitation: the lock is per process because this portal runs one backend
# process; several workers would need the lock in the database or Redis.
_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock_for(ia_user_id: int) -> asyncio.Lock:
    lock = _locks.get(ia_user_id)
    if lock is None:
        lock = asyncio.Lock()
        _locks[ia_user_id] = lock
    return lock


async def resync(settings: Settings, ia_user_id: int) -> ResyncResult:
    """Re-fetch one user from IA with their stored token and store the result.

    Raises:
        UnknownUser: no such user here; nothing is written.
        ia_client.IAError: IA failed or answered outside the protocol; nothing
            is written.
    """
    async with _lock_for(ia_user_id):
        token = await run_in_threadpool(_token_of, ia_user_id)
        if token is None:
            logger.info("re-sync of IA user %s: access already revoked", ia_user_id)
            return ResyncResult.REVOKED

        try:
            data = await ia_client.fetch_user(settings, token)
        except ia_client.IARefused as refused:
            if refused.status_code not in (401, 403):
                raise
            await run_in_threadpool(_revoke, ia_user_id, token)
            logger.info("re-sync of IA user %s: IA says access is revoked", ia_user_id)
            return ResyncResult.REVOKED

        if data.user_id != ia_user_id:
            raise ia_client.IABadAnswer("IA answered with another user for this token")
        changed = await run_in_threadpool(_apply, data, token)
        logger.info("re-sync of IA user %s: %s", ia_user_id, changed)
        return changed


def _token_of(ia_user_id: int) -> str | None:
    with open_session() as session:
        user = session.exec(
            select(IAUser).where(IAUser.ia_user_id == ia_user_id)
        ).first()
    if user is None:
        raise UnknownUser(ia_user_id)
    return user.access_token


def _revoke(ia_user_id: int, token: str) -> None:
    """Drop the token IA refused (unless a new sign-in replaced it meanwhile)."""
    with open_session() as session:
        user = session.exec(select(IAUser).where(IAUser.ia_user_id == ia_user_id)).one()
        if user.access_token != token:
            return
        user.access_token = None
        user.access_revoked_at = utcnow()
        session.add(user)
        assert user.id is not None
        session.add(ProfileChange(user_id=user.id, revoked=True))
        session.commit()


def _apply(data: IAUserData, token: str) -> ResyncResult:
    """Store what IA returned; record which items changed."""
    with open_session() as session:
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
