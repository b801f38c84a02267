"""The server-to-server calls to the partner's registered callback URL.

Two calls, as documented: ``GET {callback}?code=…&state=…`` hands over an
authorization code after an approval (`deliver_code`); ``POST {callback}``
with the form field ``user_id`` says a user's data changed or their access
was revoked (`notify_change`).

Both verify TLS and follow no redirect (the callback URL is registered, a
redirect is not). The whole exchange, not each socket operation, is bounded
by the callback timeout. Each returns None when the partner answered 2xx,
otherwise a short reason, fit for a log line and for the user.
"""

import logging
from collections.abc import Awaitable, Callable

import anyio
import httpx

from ia_sandbox.config import Settings
from ia_sandbox.models import User

logger = logging.getLogger(__name__)


def state_for(user: User) -> str:
    """The documented ``state``: ``{userid}@@{username}@@{email}``."""
    return f"{user.id}@@{user.username}@@{user.email}"


async def _call(
    settings: Settings, send: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
) -> str | None:
    """Make one call with ``send``; None on 2xx, otherwise why it failed."""
    timeout = settings.callback_timeout
    try:
        with anyio.fail_after(timeout):
            # trust_env=False: a proxy configured for the outside world must
            # not intercept a call that usually goes to localhost.
            async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
                response = await send(client)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if not response.is_success:
        return f"the partner answered HTTP {response.status_code}"
    return None


async def deliver_code(settings: Settings, code: str, user: User) -> str | None:
    """Call ``GET {callback}?code=…&state=…`` and wait for the partner's answer.

    The query goes through httpx's ``params`` so ``+``, ``@`` and non-ASCII
    characters arrive percent-encoded.
    """
    url = httpx.URL(settings.partner_callback_url)
    params = url.params.merge({"code": code, "state": state_for(user)})
    return await _call(
        settings, lambda client: client.get(url.copy_with(query=None), params=params)
    )


async def notify_change(settings: Settings, user_id: int) -> str | None:
    """Call ``POST {callback}`` with the form body ``user_id=<id>``.

    The URL is used exactly as registered, query included. The call carries
    nothing but the id: the partner re-reads the user with its token.
    """
    url = settings.partner_callback_url
    logger.info("telling %s that user %s changed", settings.partner_name, user_id)
    failure = await _call(
        settings, lambda client: client.post(url, data={"user_id": str(user_id)})
    )
    if failure:
        logger.warning(
            "%s could not be told of user %s: %s",
            settings.partner_name,
            user_id,
            failure,
        )
    else:
        logger.info("%s was told of user %s", settings.partner_name, user_id)
    return failure
