"""The phone app's account section: edit the profile, revoke a partner's access.

Both tell the registered partner afterwards with the documented
``POST {callback}`` carrying ``user_id`` (see `callback.notify_change`), and
only when it holds a live token for the user: a partner that never signed
the user in has nothing to re-read. A failed call never undoes the change.
JSON endpoints, used by the phone page's script:

- ``POST /app/{username}/profile`` with JSON ``{"name", "email", "phone"}``
  → ``{"status": "saved", "message", "notified", "user": {"username",
  "name", "email", "phone"}}``, or ``{"status": "unchanged", "message",
  "user"}`` when nothing changed (and nobody is called); or 400 ``{"error":
  "invalid_profile", "error_description", "field"}``, changing nothing;
- ``POST /app/{username}/revoke`` → ``{"status": "revoked", "message",
  "notified"}``; or 409 when the partner has no access to revoke.

``notified`` is ``"told"``, ``"failed"`` (``message`` says why) or
``"not_connected"`` (nobody was called).
"""

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import grants
from ia_sandbox.callback import notify_change
from ia_sandbox.config import Settings
from ia_sandbox.models import User
from ia_sandbox.profile import InvalidProfile, parse_profile, save_profile, user_named
from ia_sandbox.web import api_error, db_for, json, json_object, settings_of

logger = logging.getLogger(__name__)

_NO_ACCOUNT = "No such account."


def profile_of(user: User) -> dict[str, Any]:
    """The items the phone shows and edits, as its script receives them."""
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "phone": user.phone or "",
    }


async def _tell_partner(settings: Settings, user: User, done: str) -> tuple[str, str]:
    """Call the partner back; return ``(notified, message)`` for the page."""
    assert user.id is not None
    partner = settings.partner_name
    failure = await notify_change(settings, user.id)
    if failure:
        return "failed", f"{done}, but {partner} could not be told: {failure}"
    return "told", f"{done}. {partner} was told."


def _save(
    request: Request, username: str, body: dict[str, Any]
) -> tuple[User, list[str], bool] | Response:
    """Validate and save; the user, what changed and whether the partner
    holds access, or the error response."""
    settings = settings_of(request)
    with db_for(request) as db:
        user = user_named(db, username)
        if user is None or user.id is None:
            return api_error(404, "not_found", _NO_ACCOUNT)
        try:
            changed = save_profile(db, user, parse_profile(body))
        except InvalidProfile as exc:
            logger.info("profile of %s refused: %s is invalid", username, exc.field)
            invalid = {
                "error": "invalid_profile",
                "error_description": str(exc),
                "field": exc.field,
            }
            return json(invalid, 400)
        connected = grants.has_access(db, user.id, settings.partner_client_id)
    return user, changed, connected


async def save(request: Request) -> Response:
    """Save the profile, then tell the partner if it reads this user."""
    # Only a script can send JSON here: a form on another site cannot.
    if request.headers.get("Content-Type", "").split(";")[0] != "application/json":
        return api_error(415, "invalid_request", "Send the profile as JSON.")
    body = await json_object(request)
    if isinstance(body, Response):
        return body

    username = request.path_params["username"]
    saved = await run_in_threadpool(_save, request, username, body)
    if isinstance(saved, Response):
        return saved
    user, changed, connected = saved

    answer: dict[str, Any] = {"user": profile_of(user)}
    if not changed:
        message = "Nothing to save: your profile is unchanged."
        return json(answer | {"status": "unchanged", "message": message})
    settings = settings_of(request)
    if connected:
        notified, message = await _tell_partner(settings, user, "Saved")
    else:
        logger.info("%s cannot read %s: not told", settings.partner_name, username)
        notified, message = "not_connected", "Saved."
    return json(answer | {"status": "saved", "message": message, "notified": notified})


def _revoke(request: Request, username: str) -> User | Response:
    settings = settings_of(request)
    with db_for(request) as db:
        user = user_named(db, username)
        if user is None or user.id is None:
            return api_error(404, "not_found", _NO_ACCOUNT)
        revoked = grants.revoke_access(db, user.id, settings.partner_client_id)
    if not revoked:
        return api_error(
            409, "conflict", f"{settings.partner_name} has no access to revoke."
        )
    logger.info(
        "%s revoked the access of %s (%d token(s))",
        username,
        settings.partner_name,
        revoked,
    )
    return user


async def revoke(request: Request) -> Response:
    """Revoke the partner's access to this user, then tell the partner."""
    revoked = await run_in_threadpool(_revoke, request, request.path_params["username"])
    if isinstance(revoked, Response):
        return revoked
    done = "Access revoked"
    notified, message = await _tell_partner(settings_of(request), revoked, done)
    return json({"status": "revoked", "message": message, "notified": notified})


routes = [
    Route("/app/{username}/profile", save, methods=["POST"]),
    Route("/app/{username}/revoke", revoke, methods=["POST"]),
]
