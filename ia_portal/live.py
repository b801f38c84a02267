"""Open tabs that show a user's data, and pushing fresh data to them.

A tab that loads a page while signed in is remembered (`LiveTab`). When IA's
re-sync changes a profile, each of that user's tabs that is connected right now
gets its state refreshed out of band, so the page changes without a reload.

Which tabs exist is in the database; whether a tab is connected, and to which
backend worker, is Reflex's to know: in this process alone without Redis, in
Redis with it (`REDIS_URL`). With Redis, a push from one worker to a tab whose
websocket is on another is relayed by Reflex through Redis to that worker.
"""

from __future__ import annotations

import logging

import reflex as rx
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from ia_portal.db import open_session
from ia_portal.models import IAUser, LiveTab, utcnow

logger = logging.getLogger(__name__)


def remember_tab(session: Session, client_token: str, user_id: int) -> None:
    """Note that this tab shows `user_id`'s data (one row per tab, updated)."""
    tab = session.get(LiveTab, client_token)
    if tab is None:
        tab = LiveTab(client_token=client_token, user_id=user_id)
    tab.user_id = user_id
    tab.seen_at = utcnow()
    session.add(tab)
    session.commit()


def forget_tab(session: Session, client_token: str) -> None:
    tab = session.get(LiveTab, client_token)
    if tab is not None:
        session.delete(tab)
        session.commit()


def _tabs_of(ia_user_id: int) -> list[str]:
    with open_session() as session:
        return list(
            session.exec(
                select(LiveTab.client_token)
                .join(IAUser, col(IAUser.id) == LiveTab.user_id)
                .where(IAUser.ia_user_id == ia_user_id)
            ).all()
        )


async def tab_connected(client_token: str) -> bool:
    """Whether the tab has a websocket open now, on any backend worker."""
    # Imported here: the app module imports the routes that call this.
    from ia_portal.ia_portal import app

    namespace = app.event_namespace
    if namespace is None:
        return False
    # The token manager is Reflex's own record of sockets (per process, or in
    # Redis); Reflex's shared states ask it the same question.
    return await namespace._token_manager.is_token_connected(client_token)


async def push_profile(ia_user_id: int, skip_token: str = "") -> int:
    """Refresh the session state of the user's connected tabs; returns how many.

    `skip_token` is the tab whose own event handler is running (its state is
    locked by that handler, which refreshes it itself).
    """
    # Imported here: the app module imports the routes that call this.
    from ia_portal.ia_portal import app
    from ia_portal.state.session import SessionState, refresh

    tokens = [
        token
        for token in await run_in_threadpool(_tabs_of, ia_user_id)
        if token != skip_token and await tab_connected(token)
    ]
    for token in tokens:
        # The state is locked (in Redis, across workers) while it is changed,
        # and the change goes to the tab's socket wherever that is.
        state_token = rx.BaseStateToken(ident=token, cls=SessionState)
        async with app.modify_state(state_token) as state:
            session_state = await state.get_state(SessionState)
            refresh(session_state)
    if tokens:
        logger.info("pushed IA user %s's profile to %d tab(s)", ia_user_id, len(tokens))
    return len(tokens)
