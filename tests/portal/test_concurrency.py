"""Many writers at once on the portal's SQLite database: no lost or doubled rows.

IA may call back for one user many times in a burst (several tabs, retries),
and the first sign-in of a user can race itself. Each test here fires its
writes together and checks what the database holds afterwards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal import ia_client
from ia_portal.config import get_settings
from ia_portal.db import SQLITE_BUSY_TIMEOUT_MS, get_engine, open_session
from ia_portal.models import IACallback, IAUser
from ia_portal.protocol import IAUserData
from ia_portal.routes import create_routes
from ia_portal.users import store_signed_in_user
from tests.portal.aio import run_async
from tests.portal.conftest import sqlite_only
from tests.sandbox_harness import Partner, approve, ask

BURST = 20


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    return make_portal(live_sandbox)


def _callbacks_for(sandbox: httpx.Client, partner: Partner, user: str) -> list[str]:
    """Approve BURST sign-ins of `user`; return the BURST callback paths IA sent."""
    for _ in range(BURST):
        ask(sandbox, user)
        assert approve(sandbox, user).status_code == 200
    assert len(set(partner.paths)) == BURST
    return list(partner.paths)


def _all_at_once(paths: list[str]) -> list[int]:
    """GET every path from the portal's routes concurrently; the status codes."""

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=create_routes())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://portal"
        ) as client:
            answers = await asyncio.gather(*(client.get(path) for path in paths))
        return [answer.status_code for answer in answers]

    return run_async(burst())


def _stored() -> tuple[list[IAUser], list[IACallback]]:
    with open_session() as session:
        users = list(session.exec(select(IAUser)).all())
        callbacks = list(session.exec(select(IACallback)).all())
    return users, callbacks


@sqlite_only
def test_the_portals_sqlite_connections_use_wal_and_wait_for_locks(
    portal: TestClient,
) -> None:
    with get_engine().connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert (mode, timeout) == ("wal", SQLITE_BUSY_TIMEOUT_MS)


def test_concurrent_callbacks_for_one_user_store_one_row_and_every_callback(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    paths = _callbacks_for(sandbox, partner, "jose")

    statuses = _all_at_once(paths)

    assert statuses == [200] * BURST
    users, callbacks = _stored()
    assert [user.ia_user_id for user in users] == [2]
    assert [callback.ia_user_id for callback in callbacks] == [2] * BURST

    # The stored profile is what the sandbox says of jose today.
    [user] = users
    assert user.access_token is not None
    ia_view = run_async(ia_client.fetch_user(get_settings(), user.access_token))
    stored = (user.username, user.email, user.name, user.phone, user.profile_items)
    assert stored == (
        ia_view.username,
        ia_view.email,
        ia_view.name,
        ia_view.phone,
        dict(ia_view.items),
    )
    assert (user.email, user.name) == ("jose+demo@example.com", "José Ñandú")


def _grace(attempt: int) -> IAUserData:
    return IAUserData(
        user_id=3,
        username="grace",
        email="grace@example.com",
        name=f"Grace Hopper {attempt}",
        phone=None,
        items={"username": "grace", "name": f"Grace Hopper {attempt}"},
    )


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_first_sign_ins_of_a_new_user_store_one_row(
    portal: TestClient, round_: int
) -> None:
    start = threading.Barrier(BURST)

    def sign_in(attempt: int) -> int | None:
        start.wait()  # every thread reaches the insert together
        with open_session() as session:
            return store_signed_in_user(session, _grace(attempt), f"token-{attempt}").id

    with concurrent.futures.ThreadPoolExecutor(max_workers=BURST) as pool:
        ids = list(pool.map(sign_in, range(BURST)))

    users, callbacks = _stored()
    assert len(users) == 1
    assert set(ids) == {users[0].id}
    assert len(callbacks) == BURST
    # The row holds one whole sign-in, never a mix of two.
    attempt = users[0].name.removeprefix("Grace Hopper ")
    assert users[0].access_token == f"token-{attempt}"
    assert users[0].profile_items["name"] == users[0].name
