"""Which backend worker holds a tab's websocket, and forgetting the dead ones' claims.

With `REDIS_URL`, Reflex records in Redis which worker holds each tab's
websocket. A worker that stops cleanly removes its records; one that dies
(killed, crashed, or the server panicking as it stops) leaves them for
`redis_token_expiration` (an hour). When that tab reconnects, Reflex takes the
leftover record for a second tab with the same token and hands the page a new
token, and with it a fresh state: an open sign-in or payment would be lost.

So before Reflex sees a websocket connect, `ForgetDeadOwners` asks Redis
whether the worker named in the tab's record still listens on its own channel
(the one Reflex relays other workers' changes on). If nobody receives there,
the worker is gone: the record is dropped, and the tab reconnects under its
own token to the state Redis kept for it.

Limitation: this reads Reflex's own record format and channel names
(`reflex.utils.token_manager`), because Reflex 0.10.1 offers no way to tell a
dead worker's record from a live duplicate tab; the two-worker browser tests
(`tests/e2e/test_scaled.py`) fail if a Reflex upgrade changes them.
"""

from __future__ import annotations

import logging
import pickle
import secrets
from urllib.parse import parse_qs

from reflex.config import get_config
from reflex.constants import Endpoint
from reflex.state import StateUpdate
from reflex.utils.token_manager import (
    LostAndFoundRecord,
    RedisTokenManager,
    SocketRecord,
)
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

# Deletes the record only if it is still the one that was read.
_DELETE_IF_SAME = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


async def forget_dead_owner(manager: RedisTokenManager, token: str) -> bool:
    """Drop the tab's socket record if the worker it names is gone; whether it did."""
    key = manager._get_redis_key(token)
    record_bytes = await manager.redis.get(key)
    if not record_bytes:
        return False
    record = pickle.loads(record_bytes)
    if not await _gone(manager, token, record):
        return False

    delete = manager.redis.eval(_DELETE_IF_SAME, 1, key, record_bytes)
    forgotten = bool(await delete)  # type: ignore[misc]  # typed sync and async
    if forgotten:
        logger.info("tab reconnecting: its socket record named a gone worker")
    return forgotten


async def _gone(manager: RedisTokenManager, token: str, record: SocketRecord) -> bool:
    """Whether the socket a record names is no longer held by any worker."""
    if record.instance_id == manager.instance_id:
        # This worker knows its own sockets (Reflex's rule too).
        return manager.sid_to_token.get(record.sid) != token

    # A live worker receives this, finds no tab for the made-up token and does
    # nothing; PUBLISH answers how many received it.
    nobody = f"probe-{secrets.token_hex(8)}"
    probe = LostAndFoundRecord(token=nobody, update=StateUpdate())
    channel = f"channel:{manager._get_lost_and_found_key(record.instance_id)}"
    return await manager.redis.publish(channel, pickle.dumps(probe)) == 0


class ForgetDeadOwners:
    """ASGI middleware: clear a dead worker's claim before a tab's websocket connects.

    Only websocket connects to Reflex's event endpoint, and only with Redis,
    are looked at; everything passes on unchanged. A failure to ask Redis is
    logged and the connect goes on as Reflex alone would handle it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._path = get_config().prepend_backend_path(f"/{Endpoint.EVENT.value}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"].rstrip("/") == self._path:
            await self._check(scope)
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope) -> None:
        # Imported here: the app module builds its routes with this middleware.
        from ia_portal.ia_portal import app

        namespace = app.event_namespace
        manager = namespace._token_manager if namespace is not None else None
        if not isinstance(manager, RedisTokenManager):
            return
        query = parse_qs(scope["query_string"].decode("latin-1"))
        tokens = query.get("token", [])
        if len(tokens) != 1 or not tokens[0]:
            return
        try:
            await forget_dead_owner(manager, tokens[0])
        except Exception as error:
            logger.warning(
                "could not check a tab's socket owner (%s)", type(error).__name__
            )
