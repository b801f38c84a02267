"""The sandbox's ASGI application: `create_app` wires settings, database,
routes and error handling together.

Routes, by module:

- `frame`: ``GET /api/partner/authorize/view`` and the frame script's calls;
- `phone`: ``GET /app`` and ``/app/{username}``, the simulated phone app;
- `oauth`: ``POST /api/oauth/token`` and ``GET /api/public/user``;
- here: ``GET /healthz`` → ``{"status": "ok"}``, for start-up scripts.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import frame, oauth, phone
from ia_sandbox.config import Settings
from ia_sandbox.db import make_engine
from ia_sandbox.errors import CrashGuard, http_error
from ia_sandbox.web import json


def healthz(_request: Request) -> Response:
    """Ready to serve."""
    return json({"status": "ok"})


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    """Build the sandbox for these settings.

    Args:
        settings: the registered partner and the sandbox's knobs.
        engine: the database to use; by default one for
            ``settings.database_url``. Its tables must exist already
            (see `db.create_tables`).
    """
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *frame.routes,
            *phone.routes,
            *oauth.routes,
        ],
        middleware=[Middleware(CrashGuard)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    return app
