"""The portal's calls to IA: trade a code for a token, fetch the user with it.

Errors form one small hierarchy, so a caller knows what to catch:

    IAError             anything that stopped a call to IA
    ├── IAUnavailable   IA could not be reached, timed out, or failed (5xx)
    ├── IARefused       IA answered 4xx: the code or token is not (or no longer) good
    └── IABadAnswer     IA answered, but not in the protocol's shape

Every message is safe to show a user: none carries a code, token or secret.

Each call, connecting and reading included, ends within `IA_HTTP_TIMEOUT`. Only
the user fetch is tried again, by the policy `USER_FETCH_RETRY` states.
"""

from __future__ import annotations

import functools
import logging
import ssl
from typing import Any

import anyio
import httpx
import tenacity

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


# Retry policy. Only the user fetch is retried: a GET with the token changes
# nothing on IA's side, so asking again is safe. The code exchange never is:
# after a failure its outcome is unknown (IA may have used the code up), and a
# second try would at best be refused. Three attempts, 0.1 s then 0.2 s apart:
# enough to ride out a blip or a restarting IA, short because IA's callback
# waits for our answer meanwhile.
# Limitation: an IA that never answers the user fetch keeps its callback
# waiting three timeouts plus 0.3 s, because each attempt gets the whole
# `IA_HTTP_TIMEOUT`.
USER_FETCH_ATTEMPTS = 3
USER_FETCH_WAIT = tenacity.wait_exponential(multiplier=0.1, max=1.0)


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    logger.info(
        "user fetch attempt %s of %s failed (%s): trying again in %.1f s",
        state.attempt_number,
        USER_FETCH_ATTEMPTS,
        error,
        wait,
    )


USER_FETCH_RETRY = tenacity.retry(
    retry=tenacity.retry_if_exception_type(IAUnavailable),
    stop=tenacity.stop_after_attempt(USER_FETCH_ATTEMPTS),
    wait=USER_FETCH_WAIT,
    before_sleep=_log_retry,
    reraise=True,
)


def redact(value: str) -> str:
    """Show at most the first four characters of a code or token, for logs."""
    return f"{value[:4]}…" if value else "(empty)"


@functools.cache
def _tls() -> ssl.SSLContext:
    """How every call to IA checks TLS: httpx's default, certificates verified.

    Built once per process and shared: building one loads the whole CA bundle,
    about 30 ms of CPU, which capped the callback at a few dozen a second when
    each call built its own (`make bench`, callback throughput).
    """
    return httpx.create_ssl_context()


def _client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    # TLS is always verified; one timeout bounds connect, read, write and pool.
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.ia_http_timeout),
        verify=_tls(),
        follow_redirects=False,
        transport=transport,
    )


async def _send(
    settings: Settings,
    request: httpx.Request,
    step: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Any:
    """Send one request to IA and return its JSON body, or raise an `IAError`."""
    try:
        # httpx's timeout bounds each socket operation; an IA that trickles its
        # answer byte by byte would pass them all, so the call is bounded too.
        with anyio.fail_after(settings.ia_http_timeout):
            async with _client(settings, transport) as client:
                response = await client.send(request)
    except (httpx.TimeoutException, TimeoutError):
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


async def fetch_user(
    settings: Settings,
    access_token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> IAUserData:
    """Read the user's data with their access token (protocol step 6).

    IA unavailable (unreachable, too slow, 5xx) is tried again, by the policy
    `USER_FETCH_RETRY` states; a refusal or a bad answer is not.

    Args:
        transport: replaces httpx's network transport (tests use it to fake a
            failure the IA sandbox cannot produce).

    Raises:
        IAError: see the module docstring; after retries, the last attempt's.
    """
    body = await _user_answer(settings, access_token, transport)

    try:
        user = parse_user_payload(body)
    except ProtocolError as error:
        raise IABadAnswer(str(error)) from None
    logger.info("fetched IA user %s", user.user_id)
    return user


@USER_FETCH_RETRY
async def _user_answer(
    settings: Settings,
    access_token: str,
    transport: httpx.AsyncBaseTransport | None,
) -> Any:
    """One try at `GET /api/public/user`: its JSON body."""
    headers = {
        "Authorization": f"Bearer {access_token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    request = httpx.Request("GET", settings.ia_server_url + USER_PATH, headers=headers)
    return await _send(settings, request, "user fetch", transport)
