"""The partner's server-side API: the code exchange and the user endpoint.

``POST /api/oauth/token`` (form fields ``client_id``, ``client_secret``,
``code``, ``redirect_uri``, ``grant_type``) answers
``{"access_token", "token_type": "Bearer"}`` or an RFC 6749 error
``{"error", "error_description"}``.

``GET /api/public/user`` (``Authorization: Bearer …``) answers
``{"success": true, "message", "data": {"id", "username", "email", "name",
"phone"}}``, ``phone`` only when the user has one; or 401
``{"success": false, "message", "error": "invalid_token"}`` when the token is
missing, unknown or revoked.

Either may be answered otherwise when a fault is injected (see `faults`).
"""

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import faults, grants
from ia_sandbox.credentials import redact, same
from ia_sandbox.models import User
from ia_sandbox.web import api_error, db_for, json, settings_of

logger = logging.getLogger(__name__)

_TOKEN_FIELDS = ("client_id", "client_secret", "code", "redirect_uri", "grant_type")


async def token(request: Request) -> Response:
    """Exchange an authorization code for an access token."""
    fault, instead = await faults.before_work(request, "token")
    if instead is not None:
        return instead

    # A malformed multipart body makes Starlette raise a 400 HTTPException,
    # which `errors.http_error` answers as invalid_request.
    form = await request.form()
    fields: dict[str, str] = {}
    for name in _TOKEN_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value:
            fields[name] = value
    issued = await run_in_threadpool(_token, request, fields)
    if isinstance(issued, Response):
        return issued

    body = {"access_token": issued, "token_type": "Bearer"}
    # RFC 6749 §5.1: token answers must not be cached.
    return faults.reshaped(fault, body) or json(body, headers={"Pragma": "no-cache"})


def _token(request: Request, fields: dict[str, str]) -> str | Response:
    """The new access token, or the error answer saying why there is none."""
    settings = settings_of(request)

    missing = [name for name in _TOKEN_FIELDS if name not in fields]
    if missing:
        return api_error(400, "invalid_request", f"Missing {', '.join(missing)}.")

    expected = settings.partner_client_secret.get_secret_value()
    known = same(fields["client_id"], settings.partner_client_id) & same(
        fields["client_secret"], expected
    )
    if not known:
        logger.warning("token refused: unknown client %s", redact(fields["client_id"]))
        return api_error(401, "invalid_client", "Client authentication failed.")

    if fields["grant_type"] != "authorization_code":
        return api_error(
            400, "unsupported_grant_type", "grant_type must be authorization_code."
        )

    with db_for(request) as db:
        try:
            access = grants.redeem_code(
                db, fields["code"], fields["client_id"], fields["redirect_uri"]
            )
        except grants.InvalidGrant as exc:
            logger.info("token refused: %s", exc)
            return api_error(400, "invalid_grant", str(exc))
    return access


def _bearer_user(request: Request) -> User | None:
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not bearer.strip():
        return None
    with db_for(request) as db:
        return grants.user_for_token(db, bearer.strip())


async def user(request: Request) -> Response:
    """The user an access token was granted for."""
    fault, instead = await faults.before_work(request, "user")
    if instead is not None:
        return instead

    found = await run_in_threadpool(_bearer_user, request)
    if found is None:
        return json(
            {
                "success": False,
                "message": "The access token is missing, unknown or revoked.",
                "error": "invalid_token",
            },
            401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    data: dict[str, object] = {
        "id": found.id,
        "username": found.username,
        "email": found.email,
        "name": found.name,
    }
    if found.phone:
        data["phone"] = found.phone
    logger.info("user %s read by %s", found.username, settings_of(request).partner_name)
    body = {
        "success": True,
        "message": "User data items retrieved successfully",
        "data": data,
    }
    return faults.reshaped(fault, body) or json(body)


routes = [
    Route("/api/oauth/token", token, methods=["POST"]),
    Route("/api/public/user", user, methods=["GET"]),
]
