"""Fault injection into the partner API, for the portal's failure tests.

The faults are named in `fault_plan`. The app keeps the live ones on a
`FaultBoard`, started from ``SANDBOX_FAULTS``; when ``SANDBOX_TEST_CONTROLS``
is true, tests change them over HTTP (these routes exist only then):

- ``GET /_sandbox/faults`` → ``{"faults": {"token": "500", …}}``;
- ``POST /_sandbox/faults`` with JSON ``{"endpoint": "token"|"user",
  "fault": "<fault>"}`` replaces that endpoint's fault, answers the same;
- ``DELETE /_sandbox/faults`` clears them all, answers the same.

What each fault answers:

- ``delay:S``: sleeps S seconds without blocking the server, then the normal
  answer;
- ``500``: 500, ``text/html``, an "Internal Server Error" page;
- ``malformed``: 200, ``application/json``, `MALFORMED_BODY` (not JSON);
- ``success_false``: 200 JSON ``{"success": false, "message"}``, so the
  token endpoint's answer carries no ``access_token``;
- ``form``: 200 ``application/x-www-form-urlencoded``: the normal answer's
  fields (``access_token=…&token_type=Bearer``, or ``success=1&message=…``
  then the user's items);
- ``pairs``: the normal user answer with ``data`` as ``[key, value]`` pairs
  and the ``email`` key spelt ``Email``.

``500``, ``malformed`` and ``success_false`` answer before any work is done,
so a code sent to a failing token endpoint is not used up; ``form`` and
``pairs`` reshape the answer of work really done; an error answer (a refused
code, an unknown token) is never reshaped.

Limitation: with the controls on, whoever reaches the sandbox can break it,
because they serve test suites on one machine; they are off by default.
"""

import logging
import threading
from typing import Any
from urllib.parse import urlencode

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ia_sandbox.fault_plan import ENDPOINTS, Fault, FaultKind, parse_fault
from ia_sandbox.web import api_error, api_headers, json, json_object

logger = logging.getLogger(__name__)

_ROUTES = {"token": "POST /api/oauth/token", "user": "GET /api/public/user"}

# The shape of the samples in IA's own documentation: a list holding
# key-value items and a trailing comma, which no JSON parser accepts.
MALFORMED_BODY = '{"success": true, "data": [ "phone": "+1", ]}'

ERROR_PAGE = "<html><body><h1>Internal Server Error</h1></body></html>"

_FAILURES = {
    "token": "The access token could not be issued",
    "user": "User data items could not be retrieved",
}


class FaultBoard:
    """The faults in force, one per endpoint; safe to share across threads."""

    def __init__(self, plan: dict[str, Fault]) -> None:
        self._lock = threading.Lock()
        self._faults = {e: f for e, f in plan.items() if f.kind is not FaultKind.NONE}

    def get(self, endpoint: str) -> Fault | None:
        """The fault in force for ``endpoint``, if any."""
        with self._lock:
            return self._faults.get(endpoint)

    def put(self, endpoint: str, fault: Fault) -> None:
        """Replace the endpoint's fault (``none`` removes it)."""
        with self._lock:
            if fault.kind is FaultKind.NONE:
                self._faults.pop(endpoint, None)
            else:
                self._faults[endpoint] = fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def describe(self) -> dict[str, str]:
        """``{endpoint: fault}`` as written in a plan, endpoints in order."""
        with self._lock:
            return {e: str(self._faults[e]) for e in ENDPOINTS if e in self._faults}


def board_of(request: Request) -> FaultBoard:
    """The app's fault board."""
    board: FaultBoard = request.app.state.faults
    return board


async def before_work(
    request: Request, endpoint: str
) -> tuple[Fault | None, Response | None]:
    """Fire the endpoint's fault, if any, before the handler does its work.

    Returns:
        The fault (None when there is none) and the response that replaces
        the handler's whole work (None when the work must go on).
    """
    fault = board_of(request).get(endpoint)
    if fault is None:
        return None, None
    logger.warning("fault %s fired on %s", fault, _ROUTES[endpoint])

    match fault.kind:
        case FaultKind.DELAY:
            await anyio.sleep(fault.seconds)
            return fault, None
        case FaultKind.HTTP_500:
            return fault, HTMLResponse(ERROR_PAGE, 500, headers=api_headers())
        case FaultKind.MALFORMED:
            body = MALFORMED_BODY
            return fault, Response(body, 200, api_headers(), "application/json")
        case FaultKind.SUCCESS_FALSE:
            failed = {"success": False, "message": _FAILURES[endpoint]}
            return fault, json(failed)
        case _:
            return fault, None


def reshaped(fault: Fault | None, body: dict[str, Any]) -> Response | None:
    """The normal success ``body`` as the fault reshapes it, or None.

    ``body`` is the token answer or the user answer (with its ``data``).
    """
    if fault is None:
        return None
    match fault.kind:
        case FaultKind.FORM:
            fields = {k: v for k, v in body.items() if k != "data"}
            fields |= body.get("data", {})
            text = urlencode({k: _form_value(v) for k, v in fields.items()})
            form_type = "application/x-www-form-urlencoded"
            return Response(text, 200, api_headers(), form_type)
        case FaultKind.PAIRS:
            items = body["data"].items()
            pairs = [["Email" if k == "email" else k, v] for k, v in items]
            return json(body | {"data": pairs})
        case _:
            return None


def _form_value(value: Any) -> str:
    # PHP-style forms write booleans as 1 and an empty string.
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


# The test-only control routes.


def _current(request: Request) -> Response:
    return json({"faults": board_of(request).describe()})


async def show(request: Request) -> Response:
    """The faults in force."""
    return _current(request)


async def put(request: Request) -> Response:
    """Set one endpoint's fault from ``{"endpoint", "fault"}``."""
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    endpoint, text = body.get("endpoint"), body.get("fault")
    if not isinstance(endpoint, str) or not isinstance(text, str):
        return api_error(400, "invalid_request", "Send endpoint and fault as text.")
    try:
        fault = parse_fault(endpoint, text)
    except ValueError as exc:
        reason = str(exc)
        return api_error(400, "invalid_request", f"{reason[:1].upper()}{reason[1:]}.")

    board_of(request).put(endpoint, fault)
    logger.warning("fault control: %s endpoint set to %s", endpoint, fault)
    return _current(request)


async def clear(request: Request) -> Response:
    """Remove every fault."""
    board_of(request).clear()
    logger.warning("fault control: all faults cleared")
    return _current(request)


control_routes = [
    Route("/_sandbox/faults", show, methods=["GET"]),
    Route("/_sandbox/faults", put, methods=["POST"]),
    Route("/_sandbox/faults", clear, methods=["DELETE"]),
]
