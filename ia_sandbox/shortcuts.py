"""Test-only shortcuts past the phone: extra accounts, and codes issued at once.

Benchmarks need many users and many fresh authorization codes; pressing
Approve for each, with the code then handed to the partner's callback, would
measure the phone and use the code up. These routes exist only when
``SANDBOX_TEST_CONTROLS`` is true:

- ``POST /_sandbox/users`` with JSON ``{"username", "name", "email"}`` (and
  optionally ``"phone"``) adds an account, its items checked as the phone's
  profile editor checks them; answers 201 ``{"id", "username"}``, 400 naming
  the item refused, or 409 when the username or email is taken;
- ``POST /_sandbox/codes`` with JSON ``{"username"}`` records an approved
  sign-in request for that user, as the phone would, and answers 201
  ``{"code", "state"}``: a code for the registered partner and callback URL,
  and the ``state`` its callback would carry. The callback is not called: the
  caller hands the code on itself.

A code issued here is redeemed like any other (``POST /api/oauth/token``),
once, within ``SANDBOX_CODE_TTL``.
"""

import logging
import re
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import approvals, grants
from ia_sandbox.callback import state_for
from ia_sandbox.credentials import new_secret
from ia_sandbox.models import ApprovalRequest, RequestStatus, User, utcnow
from ia_sandbox.profile import InvalidProfile, parse_profile, user_named
from ia_sandbox.web import api_error, db_for, json, json_object, settings_of

logger = logging.getLogger(__name__)

# A username is one word: it names the phone's page (/app/{username}).
_USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _username(body: dict[str, Any]) -> str | None:
    value = body.get("username")
    return value if isinstance(value, str) and _USERNAME.fullmatch(value) else None


async def add_user(request: Request) -> Response:
    """Add an account from ``{"username", "name", "email", "phone"?}``."""
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    username = _username(body)
    if username is None:
        return api_error(
            400, "invalid_request", "Send a username of letters, digits, . _ or -."
        )
    try:
        profile = parse_profile(body)
    except InvalidProfile as exc:
        return api_error(400, "invalid_request", str(exc))

    user = User(
        username=username, name=profile.name, email=profile.email, phone=profile.phone
    )
    return await run_in_threadpool(_add_user, request, user)


def _add_user(request: Request, user: User) -> Response:
    with db_for(request) as db:
        db.add(user)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return api_error(409, "conflict", "That username or email is taken.")
    logger.warning("test control: account %s added", user.username)
    return json({"id": user.id, "username": user.username}, 201)


async def issue_code(request: Request) -> Response:
    """Approve a sign-in for ``{"username"}`` at once; answer its code and state."""
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    username = _username(body)
    if username is None:
        return api_error(400, "invalid_request", "Send the account's username.")
    return await run_in_threadpool(_issue_code, request, username)


def _issue_code(request: Request, username: str) -> Response:
    settings = settings_of(request)
    with db_for(request) as db:
        user = user_named(db, username)
        if user is None:
            return api_error(404, "not_found", "No such account.")
        assert user.id is not None

        # The same rows an approval on the phone leaves: a frame, a request
        # answered "approved", and the request's single-use code.
        frame, _ = approvals.open_frame(db, settings, amount=None)
        assert frame.id is not None
        now = utcnow()
        approved = ApprovalRequest(
            ref=new_secret(),
            frame_id=frame.id,
            user_id=user.id,
            client_id=frame.client_id,
            login_hint=user.username,
            status=RequestStatus.APPROVED,
            expires_at=now,
            answered_at=now,
        )
        db.add(approved)
        db.commit()
        code = grants.issue_code(db, settings, approved)
    return json({"code": code, "state": state_for(user)}, 201)


routes = [
    Route("/_sandbox/users", add_user, methods=["POST"]),
    Route("/_sandbox/codes", issue_code, methods=["POST"]),
]
