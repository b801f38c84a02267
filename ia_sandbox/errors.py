"""Clean error answers: JSON under ``/api/``, a small HTML page elsewhere.

No answer ever carries a traceback. An unexpected exception is logged once
here and answered 500; Starlette's own error middleware would re-raise it
after answering, which makes the server log it a second time.
"""

import logging
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ia_sandbox.web import api_error, page_headers, render

logger = logging.getLogger(__name__)

_CRASH_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>Instant Access</title>"
    "<p>Something went wrong on Instant Access. Please try again.</p>"
)


# The phone page's own JSON endpoints live under /app/{username}/, next to
# the page itself; the test controls under /_sandbox/ speak JSON too.
_PHONE_JSON = re.compile(r"/app/[^/]+/(requests|profile|revoke)(/|$)")


def _wants_json(path: str) -> bool:
    if path.startswith(("/api/", "/_sandbox/")):
        return True
    return _PHONE_JSON.match(path) is not None


async def http_error(request: Request, exc: Exception) -> Response:
    """Answer a routing error (404, 405) in the shape the path expects."""
    assert isinstance(exc, HTTPException)
    if _wants_json(request.url.path):
        error = "not_found" if exc.status_code == 404 else "invalid_request"
        return api_error(exc.status_code, error, exc.detail)
    context = {"title": exc.detail, "message": "There is no such page."}
    if exc.status_code != 404:
        context["message"] = "This page cannot answer that request."
    return render(
        request, "error.html", context, headers=page_headers(), status=exc.status_code
    )


class CrashGuard:
    """ASGI middleware turning an unexpected exception into a clean 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            logger.exception(
                "unexpected error on %s %s", scope["method"], scope["path"]
            )
            if started:  # too late for a clean answer; the server drops it
                raise
            response: Response
            if _wants_json(scope["path"]):
                response = api_error(500, "server_error", "Unexpected server error.")
            else:
                response = HTMLResponse(_CRASH_PAGE, 500, headers=page_headers())
            await response(scope, receive, send)
