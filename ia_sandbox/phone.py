"""The simulated IA phone app: pick a demo user, then answer their requests.

Pages: ``GET /app`` (the user picker) and ``GET /app/{username}``. The
latter's script uses three JSON endpoints of its own, plus those of its
account section (see `account`):

- ``GET /app/{username}/requests`` → ``{"user", "requests": [card, …],
  "connected"}``, a card being ``{"id", "partner", "title", "shares",
  "seconds_left", "seconds_given"}`` and ``connected`` whether the partner
  holds a live token for the user;
- ``POST /app/{username}/requests/{id}/approve`` and ``…/deny`` →
  ``{"id", "status", "message"}``, or 409 when the request can no longer be
  answered (already answered, cancelled or expired).

Limitation: the phone has no sign-in, so whoever reaches the sandbox can
answer for any demo user, because it stands in for a device the user holds.

Limitation: a username containing "/" has no phone page, because Starlette
matches routes on the decoded path; the demo users have none.
"""

import logging
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import approvals, grants, ledger
from ia_sandbox.account import profile_of
from ia_sandbox.callback import deliver_code
from ia_sandbox.config import Settings
from ia_sandbox.models import ApprovalRequest, RequestStatus, User, utcnow
from ia_sandbox.profile import user_named
from ia_sandbox.web import api_error, db_for, json, page_headers, render, settings_of

logger = logging.getLogger(__name__)


class _NoSuchUser(Exception):
    pass


def _user(db: Session, username: str) -> User:
    user = user_named(db, username)
    if user is None:
        raise _NoSuchUser(username)
    return user


def card(found: ApprovalRequest, user: User, settings: Settings) -> dict[str, Any]:
    """What the phone shows for one pending request."""
    partner = settings.partner_name
    if found.amount:
        title = f"Pay {found.amount} {found.currency} to {partner}"
    else:
        title = f"Sign in to {partner}"
    left = max(0.0, (found.expires_at - utcnow()).total_seconds())
    given = (found.expires_at - found.created_at).total_seconds()
    return {
        "id": found.id,
        "partner": partner,
        "title": title,
        "shares": ["username", "email", "name"] + (["phone"] if user.phone else []),
        "seconds_left": round(left, 1),
        # The whole time the request had, for the page's countdown bar.
        "seconds_given": round(given, 1),
    }


def _cards(request: Request, username: str) -> tuple[User, list[dict[str, Any]], bool]:
    """The user, their pending requests as cards, and whether the partner
    holds access to them."""
    settings = settings_of(request)
    with db_for(request) as db:
        user = _user(db, username)
        assert user.id is not None
        approvals.expire_overdue(db, settings)
        pending = approvals.pending_for(db, user)
        connected = grants.has_access(db, user.id, settings.partner_client_id)
    return user, [card(found, user, settings) for found in pending], connected


def home(request: Request) -> Response:
    """The user picker: one link per account on this sandbox."""
    with db_for(request) as db:
        users = db.exec(select(User).order_by(col(User.id))).all()
    return render(request, "phone_home.html", {"users": users}, headers=page_headers())


def phone(request: Request) -> Response:
    """One user's phone: the pending requests, kept fresh by the page's
    script, and the account section (profile, partner access)."""
    username = request.path_params["username"]
    try:
        user, cards, connected = _cards(request, username)
    except _NoSuchUser:
        missing = {
            "title": "No such account",
            "message": f"There is no Instant Access account “{username}”.",
        }
        return render(
            request, "error.html", missing, headers=page_headers(), status=404
        )
    # Starlette leaves path parameters unencoded; a username may need it.
    base = f"/app/{quote(username, safe='')}"
    config = {
        "requestsUrl": f"{base}/requests",
        "requests": cards,
        "profileUrl": f"{base}/profile",
        "revokeUrl": f"{base}/revoke",
        "profile": profile_of(user),
        "connected": connected,
    }
    context = {
        "user": user,
        "partner": settings_of(request).partner_name,
        "connected": connected,
        "config": config,
    }
    return render(request, "phone_user.html", context, headers=page_headers())


def pending(request: Request) -> Response:
    """The user's pending requests as cards (expiry decided here)."""
    try:
        user, cards, connected = _cards(request, request.path_params["username"])
    except _NoSuchUser:
        return api_error(404, "not_found", "No such account.")
    return json({"user": user.username, "requests": cards, "connected": connected})


def _answer(
    request: Request, status: RequestStatus
) -> tuple[ApprovalRequest, User] | Response:
    """Record the phone's answer, or the error response explaining why not."""
    username, request_id = request.path_params["username"], request.path_params["id"]
    with db_for(request) as db:
        try:
            user = _user(db, username)
            approvals.expire_overdue(db, settings_of(request))
            return approvals.answer(db, request_id, user, status), user
        except (_NoSuchUser, approvals.RequestNotFound):
            return api_error(404, "not_found", "This account has no such request.")
        except approvals.RequestConflict as exc:
            return api_error(409, "conflict", str(exc))


async def approve(request: Request) -> Response:
    """Approve: issue a code, hand it to the partner, then settle the request.

    The frame keeps seeing ``pending`` until the partner's callback answered,
    so a browser never learns of a sign-in the partner could not complete.
    """
    settings = settings_of(request)
    answered = await run_in_threadpool(_answer, request, RequestStatus.APPROVING)
    if isinstance(answered, Response):
        return answered
    found, user = answered
    assert found.id is not None

    # Issue the code and deliver it server-to-server.
    with db_for(request) as db:
        code = await run_in_threadpool(grants.issue_code, db, settings, found)
    failure = await deliver_code(settings, code, user)

    # Settle: a failed callback leaves the partner with nothing usable; an
    # accepted payment enters the ledger in the settling transaction.
    with db_for(request) as db:
        if failure:
            await run_in_threadpool(grants.revoke_grant, db, found.id)
        elif found.amount:
            await run_in_threadpool(ledger.record_payment, db, settings, found, user)
        await run_in_threadpool(approvals.conclude, db, found, failure)
    if failure:
        logger.warning("request %s failed: partner callback: %s", found.id, failure)
        message = approvals.failed_message(found)
        return json({"id": found.id, "status": "failed", "message": message})
    logger.info("request %s approved: partner accepted the code", found.id)
    if found.amount:
        logger.info(
            "ledger: %s received %s %s from %s (request %s)",
            settings.partner_name,
            found.amount,
            found.currency,
            user.username,
            found.id,
        )
    message = f"Approved. {settings.partner_name} was notified."
    return json({"id": found.id, "status": "approved", "message": message})


def deny(request: Request) -> Response:
    """Deny: the frame will tell the partner ``denied``."""
    answered = _answer(request, RequestStatus.DENIED)
    if isinstance(answered, Response):
        return answered
    found, _ = answered
    message = f"Denied. {settings_of(request).partner_name} was told."
    return json({"id": found.id, "status": "denied", "message": message})


_REQUEST = "/app/{username}/requests/{id:int}"

routes = [
    Route("/app", home, methods=["GET"]),
    Route("/app/{username}", phone, methods=["GET"]),
    Route("/app/{username}/requests", pending, methods=["GET"]),
    Route(f"{_REQUEST}/approve", approve, methods=["POST"]),
    Route(f"{_REQUEST}/deny", deny, methods=["POST"]),
]
