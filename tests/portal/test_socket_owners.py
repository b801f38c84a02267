"""A dead worker's claim on a tab's socket is forgotten; a live one's never is.

Two of Reflex's Redis token managers play two backend workers on a real Redis
(`PORTAL_TEST_REDIS`, set by `make test-scaled`).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import uuid

import pytest
from redis.asyncio import Redis
from reflex.state import StateUpdate
from reflex.utils.token_manager import LostAndFoundRecord, RedisTokenManager

from ia_portal.socket_owners import forget_dead_owner
from tests.portal.aio import run_async

REDIS = os.environ.get("PORTAL_TEST_REDIS", "")

pytestmark = pytest.mark.skipif(
    not REDIS, reason="needs PORTAL_TEST_REDIS (a Redis URL): run make test-scaled"
)


async def _worker() -> tuple[RedisTokenManager, list[str]]:
    """A worker listening on its channel, as each does once a tab connects."""
    manager = RedisTokenManager(Redis.from_url(REDIS))
    relayed: list[str] = []

    async def emit(update: StateUpdate, token: str) -> None:
        relayed.append(token)

    manager.ensure_lost_and_found_task(emit)
    channel = f"channel:{manager._get_lost_and_found_key(manager.instance_id)}"
    hello = pickle.dumps(LostAndFoundRecord(token="hello", update=StateUpdate()))
    for _ in range(100):  # until its subscription is in place
        if await manager.redis.publish(channel, hello):
            break
        await asyncio.sleep(0.05)
    await _until(relayed)
    relayed.clear()
    return manager, relayed


async def _until(relayed: list[str]) -> None:
    """Wait (a second at most) for the worker to have relayed something."""
    for _ in range(100):
        if relayed:
            return
        await asyncio.sleep(0.01)


def test_a_live_workers_claim_is_kept_and_a_killed_ones_is_forgotten() -> None:
    async def scenario() -> tuple[bool, bool, int, bool]:
        token = str(uuid.uuid4())
        owner, relayed = await _worker()
        await owner.link_token_to_sid(token, "sid-on-the-owner")
        other = RedisTokenManager(Redis.from_url(REDIS))

        kept = await forget_dead_owner(other, token)
        await _until(relayed)  # the probe reached the owner (a real one ignores it)
        probes = len(relayed)

        # The owner dies without its shutdown: its subscription ends with it.
        await owner.close()
        forgotten = await forget_dead_owner(other, token)
        left = await other.redis.exists(other._get_redis_key(token))
        await other.close()
        return kept, forgotten, left, probes == 1

    assert run_async(scenario()) == (False, True, 0, True)


def test_a_workers_own_claim_is_forgotten_only_once_its_socket_is_gone() -> None:
    async def scenario() -> tuple[bool, bool]:
        token = str(uuid.uuid4())
        worker, _ = await _worker()
        await worker.link_token_to_sid(token, "sid-1")

        live = await forget_dead_owner(worker, token)
        # The socket went, but the record's delete did not reach Redis.
        worker.token_to_socket.pop(token)
        worker.sid_to_token.pop("sid-1")
        stale = await forget_dead_owner(worker, token)
        await worker.close()
        return live, stale

    assert run_async(scenario()) == (False, True)


def test_a_tab_without_a_claim_changes_nothing() -> None:
    async def scenario() -> bool:
        worker = RedisTokenManager(Redis.from_url(REDIS))
        forgotten = await forget_dead_owner(worker, str(uuid.uuid4()))
        await worker.close()
        return forgotten

    assert run_async(scenario()) is False
