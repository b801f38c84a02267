"""The authorization frame a partner embeds, and the calls its script makes.

``GET /api/partner/authorize/view`` is the documented entry point; the rest
is this sandbox's own, used only by the frame's script:

- ``POST /api/partner/authorize/request`` with JSON
  ``{"frame": <token>, "usernameOrEmail": <text>}`` sends a request to the
  user's phone and answers ``{"request", "status", "seconds_left",
  "statusUrl", "cancelUrl"}``;
- ``GET /api/partner/authorize/request/{ref}`` answers the request's
  status (see `status_body`);
- ``POST /api/partner/authorize/request/{ref}/cancel`` withdraws it.

The random ``ref`` is the capability to watch a request; the frame token is
the capability to create one, so the client secret is needed only once.
"""

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox import approvals
from ia_sandbox.config import Settings
from ia_sandbox.credentials import redact, same
from ia_sandbox.models import ApprovalRequest, RequestStatus, utcnow
from ia_sandbox.payment import InvalidAmount, parse_amount
from ia_sandbox.web import (
    api_error,
    db_for,
    frame_headers,
    json,
    json_object,
    render,
    settings_of,
)

logger = logging.getLogger(__name__)

_NOT_RECOGNISED = "This site is not recognised by Instant Access."


def _frame_error(
    request: Request, settings: Settings, status: int, title: str, message: str
) -> Response:
    context = {"title": title, "message": message, "config": _config(settings)}
    return render(
        request,
        "frame_error.html",
        context,
        headers=frame_headers(settings),
        status=status,
    )


def _config(settings: Settings, **extra: Any) -> dict[str, Any]:
    """What the frame's script needs; never the client secret."""
    return {"partnerOrigin": settings.partner_domain, **extra}


def view(request: Request) -> Response:
    """Render the frame for a recognised partner, or an error page inside it."""
    settings = settings_of(request)
    query = request.query_params

    # Recognise the partner; say nothing about which half was wrong.
    client_id = query.get("client_id", "")
    secret = query.get("client_secret", "")
    if not client_id or not secret:
        return _frame_error(
            request, settings, 400, _NOT_RECOGNISED, "The sign-in link is incomplete."
        )
    expected = settings.partner_client_secret.get_secret_value()
    known = same(client_id, settings.partner_client_id) & same(secret, expected)
    if not known:
        logger.warning("frame refused: unknown client %s", redact(client_id))
        return _frame_error(
            request, settings, 401, _NOT_RECOGNISED, "Ask the site to check its keys."
        )

    # A payment frame carries a valid amount in the registered currency.
    amount = None
    if "payment" in query:
        try:
            amount = parse_amount(query["payment"], settings.partner_currency)
        except InvalidAmount as exc:
            return _frame_error(
                request, settings, 400, "This payment cannot be made.", str(exc)
            )

    with db_for(request) as db:
        _, token = approvals.open_frame(db, settings, amount)
    logger.info(
        "frame served to %s (%s)",
        settings.partner_name,
        f"pay {amount} {settings.partner_currency}" if amount else "sign-in",
    )
    context = {
        "partner": settings.partner_name,
        "amount": amount,
        "currency": settings.partner_currency,
        "config": _config(
            settings,
            frame=token,
            requestUrl=request.app.url_path_for("frame_request"),
        ),
    }
    return render(request, "frame.html", context, headers=frame_headers(settings))


async def create_request(request: Request) -> Response:
    """Send a request to the phone of the user the frame's visitor named."""
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    token, login = body.get("frame"), body.get("usernameOrEmail")
    if not isinstance(token, str) or not isinstance(login, str) or not login.strip():
        return api_error(400, "invalid_request", "Enter your username or email.")
    return await run_in_threadpool(_create_request, request, token, login.strip())


def _create_request(request: Request, token: str, login: str) -> Response:
    settings = settings_of(request)
    with db_for(request) as db:
        frame = approvals.find_frame(db, token)
        if frame is None:
            return api_error(
                401,
                "invalid_frame",
                "This sign-in window has expired. Close it and try again.",
            )
        user = approvals.find_user(db, login)
        if user is None:
            logger.info("frame asked for an unknown user")
            return api_error(
                404, "unknown_user", f"No Instant Access account matches “{login}”."
            )
        sent = approvals.create_request(db, settings, frame, user, login)
    return json(
        {
            "request": sent.ref,
            "status": "pending",
            "seconds_left": _seconds_left(sent),
            "statusUrl": request.app.url_path_for("frame_status", ref=sent.ref),
            "cancelUrl": request.app.url_path_for("frame_cancel", ref=sent.ref),
        },
        201,
    )


def status(request: Request) -> Response:
    """The request's status as the frame needs it (expiry decided here)."""
    settings = settings_of(request)
    with db_for(request) as db:
        approvals.expire_overdue(db, settings)
        found = approvals.request_by_ref(db, request.path_params["ref"])
    if found is None:
        return api_error(404, "not_found", "No such request.")
    return json(status_body(found))


def status_body(found: ApprovalRequest) -> dict[str, Any]:
    """``{"status": …}`` plus what the frame shows or posts for that status.

    ``approving`` reads as ``pending``: the frame must not learn of the
    approval before the partner's callback has answered.
    """
    match found.status:
        case RequestStatus.PENDING | RequestStatus.APPROVING:
            return {"status": "pending", "seconds_left": _seconds_left(found)}
        case RequestStatus.APPROVED:
            return {"status": "approved", "usernameOrEmail": found.login_hint}
        case RequestStatus.DENIED:
            return {"status": "denied", "message": approvals.DENIED}
        case RequestStatus.TIMEOUT:
            return {"status": "timeout", "message": approvals.TIMED_OUT}
        case RequestStatus.CANCELLED:
            return {"status": "cancelled", "message": approvals.CANCELLED}
        case RequestStatus.FAILED:
            message = approvals.failed_message(found)
            return {"status": "failed", "message": message}


def cancel(request: Request) -> Response:
    """Withdraw a pending request; answer its status either way."""
    with db_for(request) as db:
        found = approvals.request_by_ref(db, request.path_params["ref"])
        if found is None:
            return api_error(404, "not_found", "No such request.")
        approvals.cancel(db, found)
        db.refresh(found)
    return json(status_body(found))


def _seconds_left(found: ApprovalRequest) -> float:
    return round(max(0.0, (found.expires_at - utcnow()).total_seconds()), 1)


routes = [
    Route("/api/partner/authorize/view", view, methods=["GET"]),
    Route(
        "/api/partner/authorize/request",
        create_request,
        methods=["POST"],
        name="frame_request",
    ),
    Route(
        "/api/partner/authorize/request/{ref}",
        status,
        methods=["GET"],
        name="frame_status",
    ),
    Route(
        "/api/partner/authorize/request/{ref}/cancel",
        cancel,
        methods=["POST"],
        name="frame_cancel",
    ),
]
