"""The portal's calls to IA: trade a code for a token, fetch the user with it.

Errors form one small hierarchy, so a caller knows what to catch:

    IAError             anything that stopped a call to IA
    ├── IAUnavailable   IA could not be reached, timed out, or failed (5xx)
    ├── IARefused       IA answered 4xx: the code or token is not (or no longer) good
    └── IABadAnswer     IA answered, but not in the protocol's shape

Every message is safe to show a user: none carries a code, token or secret.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from ia_portal.config import Settings
from ia_portal.protocol import IAUserData, ProtocolError, parse_user_payload

logger = logging.getLogger(__name__)

TOKEN_PATH = "/api/oauth/token"
USER_PATH = "/api/public/user"


class IAError(Exception):
    """A call to IA did not give what the protocol promises."""


class IAUnavailable(IAError):
    """IA could not be reached, did not answer in time, or failed on its side."""


class IARefused(IAError):
    """IA refused the request (4xx): an unknown, used or expired code or token."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class IABadAnswer(IAError):
    """IA answered with something that is not a protocol answer."""


def redact(value: str) -> str:
    """Show at most the first four characters of a code or token, for logs."""
    return f"{value[:4]}…" if value else "(empty)"


def _client(settings: Settings) -> httpx.AsyncClient:
    # TLS is always verified; one timeout bounds connect, read, write and pool.
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.ia_http_timeout),
        verify=True,
        follow_redirects=False,
    )


async def _send(settings: Settings, request: httpx.Request, step: str) -> Any:
    """Send one request to IA and return its JSON body, or raise an `IAError`."""
    try:
        async with _client(settings) as client:
            response = await client.send(request)
    except httpx.TimeoutException:
        raise IAUnavailable(f"IA did not answer the {step} in time") from None
    except httpx.HTTPError as error:
        cause = type(error).__name__
        raise IAUnavailable(
            f"IA could not be reached for the {step} ({cause})"
        ) from None

    if response.status_code >= 500:
        raise IAUnavailable(f"IA failed the {step} (HTTP {response.status_code})")
    if response.status_code >= 400:
        raise IARefused(
            f"IA refused the {step} ({_error_name(response)}, "
            f"HTTP {response.status_code})",
            response.status_code,
        )
    if response.status_code != 200:
        raise IABadAnswer(f"IA answered the {step} with HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise IABadAnswer(f"IA's answer to the {step} is not JSON") from None


def _error_name(response: httpx.Response) -> str:
    """The OAuth `error` code of a refusal, if it is a plain name; else 'refused'."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return "refused"
    if isinstance(error, str) and error.isidentifier() and len(error) <= 40:
        return error
    return "refused"


async def exchange_code(settings: Settings, code: str) -> str:
    """Trade an authorization code for the user's access token (protocol step 5).

    Raises:
        IAError: see the module docstring. The code is single-use: never retry.
    """
    form = {
        "client_id": settings.ia_client_id,
        "client_secret": settings.ia_client_secret.get_secret_value(),
        "code": code,
        "redirect_uri": settings.ia_callback_url,
        "grant_type": "authorization_code",
    }
    request = httpx.Request("POST", settings.ia_server_url + TOKEN_PATH, data=form)
    body = await _send(settings, request, "code exchange")

    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip() or len(token) > 4096:
        raise IABadAnswer("IA's answer to the code exchange has no access token")
    logger.info("exchanged code %s for a token", redact(code))
    return token


async def fetch_user(settings: Settings, access_token: str) -> IAUserData:
    """Read the user's data with their access token (protocol step 6).

    Raises:
        IAError: see the module docstring.
    """
    headers = {
        "Authorization": f"Bearer {access_token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    request = httpx.Request("GET", settings.ia_server_url + USER_PATH, headers=headers)
    body = await _send(settings, request, "user fetch")

    try:
        user = parse_user_payload(body)
    except ProtocolError as error:
        raise IABadAnswer(str(error)) from None
    logger.info("fetched IA user %s", user.user_id)
    return user
