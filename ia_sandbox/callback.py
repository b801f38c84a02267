"""The server-to-server call that hands the partner its authorization code."""

import logging

import anyio
import httpx

from ia_sandbox.config import Settings
from ia_sandbox.models import User

logger = logging.getLogger(__name__)


def state_for(user: User) -> str:
    """The documented ``state``: ``{userid}@@{username}@@{email}``."""
    return f"{user.id}@@{user.username}@@{user.email}"


async def deliver_code(settings: Settings, code: str, user: User) -> str | None:
    """Call ``GET {callback}?code=…&state=…`` and wait for the partner's answer.

    The query goes through httpx's ``params`` so ``+``, ``@`` and non-ASCII
    characters arrive percent-encoded. TLS is verified; redirects are not
    followed (the callback URL is registered, a redirect is not). The whole
    exchange, not each socket operation, is bounded by the callback timeout.

    Returns:
        None when the partner answered 2xx, otherwise why it failed.
    """
    url = httpx.URL(settings.partner_callback_url)
    params = url.params.merge({"code": code, "state": state_for(user)})
    timeout = settings.callback_timeout
    try:
        with anyio.fail_after(timeout):
            # trust_env=False: a proxy configured for the outside world must
            # not intercept a call that usually goes to localhost.
            async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
                response = await client.get(url.copy_with(query=None), params=params)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if not response.is_success:
        return f"the partner answered HTTP {response.status_code}"
    return None
