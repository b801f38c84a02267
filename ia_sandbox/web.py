"""Plumbing the route modules share: templates, headers, JSON answers."""

from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from ia_sandbox.config import Settings
from ia_sandbox.db import session

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)
# Jinja's own urlencode keeps "/" and is meant for query strings; a path
# segment must encode everything but unreserved characters.
_env.filters["path_segment"] = lambda value: quote(str(value), safe="")
templates = Jinja2Templates(env=_env)

# Every answer holds state that changes by the second or secrets in its URL.
_COMMON = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def api_headers() -> dict[str, str]:
    """Headers for every API answer: never cached, never sniffed."""
    return dict(_COMMON)


def frame_headers(settings: Settings) -> dict[str, str]:
    """Headers for the authorization frame: only the partner may embed it."""
    return _COMMON | {
        "Content-Security-Policy": f"frame-ancestors {settings.partner_domain}"
    }


def page_headers() -> dict[str, str]:
    """Headers for the phone pages, which nobody may embed."""
    return _COMMON | {"Content-Security-Policy": "frame-ancestors 'none'"}


def settings_of(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def db_for(request: Request) -> Session:
    """A new database session for this request (use it with ``with``)."""
    return session(request.app.state.engine)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    headers: dict[str, str],
    status: int = 200,
) -> Response:
    """Render ``templates/name`` (autoescaped) with the given headers."""
    return templates.TemplateResponse(
        request, name, context, status_code=status, headers=headers
    )


def json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON answer that no cache keeps."""
    return JSONResponse(body, status_code=status, headers=_COMMON | (headers or {}))


def api_error(status: int, error: str, description: str) -> JSONResponse:
    """The sandbox's JSON error shape: ``{"error", "error_description"}``."""
    return json({"error": error, "error_description": description}, status)


async def json_object(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON body if it is an object, else the 400 answer to send."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return api_error(400, "invalid_request", "Send a JSON object.")
    return body
