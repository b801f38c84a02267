"""The portal's own HTTP routes on the Reflex backend.

- `GET /ia/callback?code=…&state=…`: IA's server-to-server approval callback
  (protocol steps 4–6): trade the code, fetch the user, store both.
- `POST /ia/callback` with form field `user_id`: IA's hint that a user changed
  or revoked access: re-sync that user and push the result to their tabs.
- `GET /ia/frame/{attempt_id}`: sends a tab's iframe on to IA's frame URL. The
  URL must carry the client secret (the platform's design), so it is built
  here, at the last moment, and never enters page HTML, JS bundles or state.

Both callbacks answer JSON: `{"status": "ok", …}`, or `{"status": "error",
"error": SENTENCE}` where SENTENCE is fixed text, or says what IA answered; it
never repeats what the request carried. For `GET /ia/callback`:

- 400: `code` or `state` missing, empty, repeated, too long or malformed; IA
  refused the code (unknown, used or expired); or `state` names another IA
  user than the one the token belongs to ("state does not match the user IA
  returned"). The token's data is the identity, but a `state` that disagrees
  means the call was tampered with or IA is confused: nobody is signed in on
  it, and nothing is stored.
- 502: IA was unreachable, too slow, failed, or answered outside the
  protocol. Nothing is stored.

A query string over `MAX_QUERY_BYTES` (414) or a body over `MAX_BODY_BYTES`
(413) is refused before any route runs. Each refusal or failure logs one
WARNING line naming its cause.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ia_portal import ia_client, inspector
from ia_portal.attempts import open_attempt
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.inspector import Step
from ia_portal.live import push_profile
from ia_portal.logs import REDACTED
from ia_portal.payments import ia_amount, payment_of
from ia_portal.protocol import (
    CallbackState,
    IAUserData,
    ProtocolError,
    check_code,
    parse_state,
)
from ia_portal.resync import UnknownUser, resync
from ia_portal.users import store_approval

logger = logging.getLogger(__name__)

FRAME_PATH = "/api/partner/authorize/view"
# IA's codes and states are short (a state is an id, a username and an email);
# these leave room for a generous IA and refuse what no IA sends.
MAX_CODE_LENGTH = 512
MAX_STATE_LENGTH = 2048
# Room for the longest code and state above, percent-encoded.
MAX_QUERY_BYTES = 8192
# IA's POST carries one `user_id`.
MAX_BODY_BYTES = 1024
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _answer(status_code: int, error: str | None = None) -> JSONResponse:
    body = {"status": "ok"} if error is None else {"status": "error", "error": error}
    return JSONResponse(body, status_code=status_code, headers=NO_STORE)


class SizeLimits:
    """Refuse an oversized request to `/ia/…` before routing: no route reads it.

    A query string over `MAX_QUERY_BYTES` gets 414, a declared body over
    `MAX_BODY_BYTES` gets 413. A body sent without a length is cut off where
    it is read (`_small_body`). Reflex mounts its own backend inside this app,
    so other paths (its uploads, pages, health checks) pass untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ours = scope["type"] == "http" and scope["path"].startswith("/ia/")
        refusal = _oversized(scope) if ours else None
        if refusal is None:
            await self.app(scope, receive, send)
        else:
            await refusal(scope, receive, send)


def _oversized(scope: Scope) -> Response | None:
    if len(scope["query_string"]) > MAX_QUERY_BYTES:
        logger.warning("request refused: query string over %s bytes", MAX_QUERY_BYTES)
        return _answer(414, "query string too long")
    declared = Headers(scope=scope).get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        logger.warning("request refused: body over %s bytes", MAX_BODY_BYTES)
        return _answer(413, "request body too large")
    return None


def _one(request: Request, name: str) -> str | None:
    """The one non-empty value of a query parameter; None if absent or repeated."""
    values = request.query_params.getlist(name)
    return values[0] if len(values) == 1 and values[0] else None


async def approval_callback(request: Request) -> Response:
    """IA tells us a user approved: trade the code and store who it was."""
    settings = get_settings()
    trace = inspector.new_trace()

    # Read the query: exactly one short, well-formed code and state.
    raw_code, raw_state = _one(request, "code"), _one(request, "state")
    if raw_code is None or raw_state is None:
        logger.warning("callback refused: code or state missing, empty or repeated")
        return await _refuse(
            trace, 400, "code and state are each required once", parsed=False
        )
    if len(raw_code) > MAX_CODE_LENGTH or len(raw_state) > MAX_STATE_LENGTH:
        logger.warning("callback refused: code or state too long")
        return await _refuse(trace, 400, "code or state is too long", parsed=False)
    try:
        code = check_code(raw_code)
    except ProtocolError as error:
        logger.warning("callback refused: %s", error)
        return await _refuse(
            trace, 400, "code is not an authorization code", parsed=False
        )
    try:
        state = parse_state(raw_state)
    except ProtocolError as error:
        logger.warning("callback refused: %s", error)
        return await _refuse(
            trace, 400, "state is not userid@@username@@email", parsed=False
        )
    logger.info("callback received for IA user %s", state.user_id)
    await _received(trace, code, state)

    # Trade the code (once: it is single-use) and read the user (retried).
    step = Step.CODE_EXCHANGED
    try:
        token = await ia_client.exchange_code(settings, code)
        await inspector.arecord(
            step,
            trace=trace,
            summary=f"code {ia_client.redact(code)} traded for an access token",
            details=[("access token", "received; stored encrypted, never shown")],
        )
        step = Step.USER_FETCHED
        user = await ia_client.fetch_user(settings, token)
    except ia_client.IARefused as error:
        logger.warning("callback failed: %s", error)
        await inspector.arecord(step, trace=trace, ok=False, summary=str(error))
        return await _refuse(trace, 400, str(error))
    except ia_client.IAError as error:
        logger.warning("callback failed: %s", error)
        await inspector.arecord(step, trace=trace, ok=False, summary=str(error))
        return await _refuse(trace, 502, str(error))
    await _fetched(trace, user)

    # The token's data is the identity; a state naming someone else is refused.
    if user.user_id != state.user_id:
        logger.warning(
            "callback refused: state names IA user %s, the token user %s",
            state.user_id,
            user.user_id,
        )
        return await _refuse(trace, 400, "state does not match the user IA returned")

    callback_id = await run_in_threadpool(_store, user, token)
    await inspector.arecord(
        Step.CALLBACK_ANSWERED,
        trace=trace,
        callback_id=callback_id,
        summary="200 ok: user and callback stored, awaiting the browser's success",
    )
    return _answer(200)


async def _refuse(
    trace: str, status_code: int, error: str, parsed: bool = True
) -> JSONResponse:
    """Answer IA's callback with an error, and show the answer in the inspector.

    Args:
        parsed: False when the query itself was refused, before it was read.
    """
    if not parsed:
        await inspector.arecord(
            Step.CALLBACK_RECEIVED, trace=trace, ok=False, summary=f"refused: {error}"
        )
    await inspector.arecord(
        Step.CALLBACK_ANSWERED,
        trace=trace,
        ok=False,
        summary=f"{status_code}: {error}",
    )
    return _answer(status_code, error)


async def _received(trace: str, code: str, state: CallbackState) -> None:
    await inspector.arecord(
        Step.CALLBACK_RECEIVED,
        trace=trace,
        summary=f"code {ia_client.redact(code)}, state for IA user {state.user_id}",
        details=[
            ("code", ia_client.redact(code)),
            ("state: user id", str(state.user_id)),
            ("state: username", state.username),
        ],
        personal=[("state: email", state.email)],
    )


async def _fetched(trace: str, user: IAUserData) -> None:
    shown = {"user_id", "id", "username", "email", "name", "phone"}
    await inspector.arecord(
        Step.USER_FETCHED,
        trace=trace,
        summary=f"IA user {user.user_id} ({user.username})",
        details=[("IA user id", str(user.user_id)), ("username", user.username)],
        personal=[
            ("email", user.email),
            ("name", user.name),
            ("phone", user.phone or "(none)"),
            *((k, v) for k, v in sorted(user.items.items()) if k not in shown),
        ],
    )


def _store(user: IAUserData, token: str) -> int:
    """Store the user and the callback; returns the callback's id."""
    with open_session() as session:
        return store_approval(session, user, token)[1]


async def frame_redirect(request: Request) -> Response:
    """Send an open attempt's iframe to IA's frame; anything else gets a short page."""
    settings = get_settings()
    attempt_id = request.path_params["attempt_id"]

    found = await run_in_threadpool(_frame_query, attempt_id)
    if found is None:
        return HTMLResponse(
            "<p>This sign-in has expired. Close it and press the button again.</p>",
            status_code=404,
            headers=NO_STORE,
        )

    def frame_url(secret: str, safe: str = "") -> str:
        query = {"client_id": settings.ia_client_id, "client_secret": secret, **found}
        return f"{settings.ia_server_url}{FRAME_PATH}?{urlencode(query, safe=safe)}"

    await inspector.arecord(
        Step.FRAME_OPENED,
        attempt_id=attempt_id,
        summary="redirect (303) to IA's frame",
        details=[("frame URL", frame_url(REDACTED, safe="[]"))],
    )
    return RedirectResponse(
        frame_url(settings.ia_client_secret.get_secret_value()),
        status_code=303,
        headers=NO_STORE,
    )


def _frame_query(attempt_id: str) -> dict[str, str] | None:
    """Extra query for an open attempt's frame (`payment` for a payment)."""
    with open_session() as session:
        attempt = open_attempt(session, attempt_id)
        if attempt is None:
            return None
        payment = payment_of(session, attempt_id)
        if attempt.purpose == "payment":
            return None if payment is None else {"payment": ia_amount(payment)}
        return {}


async def _small_body(request: Request) -> bytes | None:
    """The request's body, or None as soon as it runs over `MAX_BODY_BYTES`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return body


def _form(body: bytes) -> dict[str, list[str]]:
    """The URL-encoded body's fields; empty if it is not a well-formed form."""
    try:
        return parse_qs(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True
        )
    except (UnicodeDecodeError, ValueError):
        return {}


async def profile_changed(request: Request) -> Response:
    """IA hints that a user changed or revoked access: re-sync them (a hint only)."""
    settings = get_settings()

    # Read the hint: one numeric user_id in a small form body, nothing else.
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/x-www-form-urlencoded":
        logger.warning("profile hint refused: not a form")
        return _answer(415, "send user_id as application/x-www-form-urlencoded")
    body = await _small_body(request)
    if body is None:
        logger.warning("profile hint refused: body over %s bytes", MAX_BODY_BYTES)
        return _answer(413, "request body too large")
    values = _form(body).get("user_id", [])
    if len(values) != 1 or not _positive_id(values[0]):
        logger.warning("profile hint refused: user_id missing, repeated or not one")
        return _answer(400, "user_id must be one positive number")
    ia_user_id = int(values[0])
    logger.info("profile hint received for IA user %s", ia_user_id)

    # Re-fetch with the stored token; what IA answers is what we store.
    try:
        result = await resync(settings, ia_user_id)
    except UnknownUser:
        logger.warning("profile hint for unknown IA user %s: ignored", ia_user_id)
        return _answer(404, "unknown user")
    except ia_client.IAError as error:
        logger.warning("re-sync of IA user %s failed: %s", ia_user_id, error)
        return _answer(502, str(error))

    await push_profile(ia_user_id)
    return JSONResponse({"status": "ok", "result": str(result)}, headers=NO_STORE)


def _positive_id(text: str) -> bool:
    """Whether `text` is an IA user id: 1 to 18 ASCII digits, not all zeros."""
    return text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0


async def _server_error(request: Request, exc: Exception) -> Response:
    # One log line with the cause; the caller sees no traceback.
    logger.exception("unexpected error on %s", request.url.path)
    return _answer(500, "internal error")


def create_routes() -> Starlette:
    """The Starlette app Reflex mounts its backend under (`api_transformer`)."""
    return Starlette(
        routes=[
            Route("/ia/callback", approval_callback, methods=["GET"]),
            Route("/ia/callback", profile_changed, methods=["POST"]),
            Route("/ia/frame/{attempt_id}", frame_redirect, methods=["GET"]),
        ],
        middleware=[Middleware(SizeLimits)],
        exception_handlers={Exception: _server_error},
    )
