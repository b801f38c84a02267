"""The sandbox's ASGI application: `create_app` wires settings, database,
routes and error handling together.

Routes, by module:

- `frame`: ``GET /api/partner/authorize/view`` and the frame script's calls;
- `phone`: ``GET /app`` and ``/app/{username}``, the simulated phone app;
- `account`: the phone's profile editor and its "Revoke access" button;
- `oauth`: ``POST /api/oauth/token`` and ``GET /api/public/user``;
- `ledger`: ``GET /ledger``, the payments partners received;
- `faults`: ``/_sandbox/faults``, and `shortcuts`: ``/_sandbox/users`` and
  ``/_sandbox/codes``, only when ``SANDBOX_TEST_CONTROLS`` is true;
- here: ``GET /healthz`` → ``{"status": "ok"}``, for start-up scripts.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import account, faults, frame, ledger, oauth, phone, shortcuts
from ia_sandbox.config import Settings
from ia_sandbox.db import make_engine
from ia_sandbox.errors import CrashGuard, http_error
from ia_sandbox.fault_plan import describe_plan
from ia_sandbox.web import json

logger = logging.getLogger(__name__)


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
    if settings.faults:
        logger.warning("faults injected: %s", describe_plan(settings.faults))
    controls = []
    if settings.test_controls:
        controls = [*faults.control_routes, *shortcuts.routes]
        logger.warning(
            "test controls on: /_sandbox/faults can inject faults, "
            "/_sandbox/users and /_sandbox/codes skip the phone"
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *frame.routes,
            *phone.routes,
            *account.routes,
            *oauth.routes,
            *ledger.routes,
            *controls,
        ],
        middleware=[Middleware(CrashGuard)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.faults = faults.FaultBoard(settings.faults)
    return app
