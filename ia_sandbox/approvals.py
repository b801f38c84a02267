"""The life of an approval request, from the frame to the phone's answer.

A request is created ``pending`` by the frame, then either answered on the
phone (``approving`` → ``approved`` or ``failed``; or ``denied``), cancelled
by the frame, or turned to ``timeout`` by `expire_overdue` once its deadline
passes. Every change of status is one conditional UPDATE, so two answers
racing for one request never both win: the loser gets `RequestConflict`.
"""

import logging
from datetime import timedelta

from sqlmodel import Session, col, func, or_, select, update

from ia_sandbox.config import Settings
from ia_sandbox.credentials import hash_secret, new_secret, redact
from ia_sandbox.models import (
    ApprovalRequest,
    FrameSession,
    RequestStatus,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

# How long a rendered frame may still start a request; a user who comes back
# later reloads the partner's page, which renders a new frame.
FRAME_LIFETIME = timedelta(minutes=30)

# Extra time before a request stuck in ``approving`` (say, the process died
# during the callback) is declared failed.
_APPROVING_GRACE = timedelta(seconds=5)

# What the frame tells the partner (and so the user) for each ending.
DENIED = "The request was denied in the Instant Access app."
TIMED_OUT = "The request was not approved in time. Please try again."
CANCELLED = "The request was cancelled."
_FAILED = "The partner site could not complete the {what}. Please try again."

_CONFLICTS = {
    RequestStatus.APPROVING: "This request is being approved right now.",
    RequestStatus.APPROVED: "This request was already approved.",
    RequestStatus.DENIED: "This request was already denied.",
    RequestStatus.TIMEOUT: "This request has expired.",
    RequestStatus.FAILED: "This request was approved but the partner failed.",
    RequestStatus.CANCELLED: "This request was cancelled on the partner's site.",
}


def failed_message(request: ApprovalRequest) -> str:
    """What the user is told when the partner's callback failed."""
    return _FAILED.format(what="payment" if request.amount else "sign-in")


class RequestNotFound(Exception):
    """No such request for this user (or for this frame)."""


class RequestConflict(Exception):
    """The request is no longer pending; ``str(exc)`` is a sentence for people."""


def open_frame(
    db: Session, settings: Settings, amount: str | None
) -> tuple[FrameSession, str]:
    """Record a rendered frame; return it with its token (shown only once)."""
    token = new_secret()
    frame = FrameSession(
        token_hash=hash_secret(token),
        client_id=settings.partner_client_id,
        amount=amount,
        currency=settings.partner_currency if amount else None,
        expires_at=utcnow() + FRAME_LIFETIME,
    )
    db.add(frame)
    db.commit()
    return frame, token


def find_frame(db: Session, token: str) -> FrameSession | None:
    """The live frame whose token this is, if any."""
    frame = db.exec(
        select(FrameSession).where(FrameSession.token_hash == hash_secret(token))
    ).first()
    if frame is None or frame.expires_at <= utcnow():
        return None
    return frame


def find_user(db: Session, login: str) -> User | None:
    """The user whose username or email is ``login``, ignoring case."""
    wanted = login.lower()
    return db.exec(
        select(User).where(
            or_(func.lower(User.username) == wanted, func.lower(User.email) == wanted)
        )
    ).first()


def create_request(
    db: Session, settings: Settings, frame: FrameSession, user: User, login: str
) -> ApprovalRequest:
    """Send a new pending request to ``user``'s phone for this frame."""
    assert frame.id is not None and user.id is not None
    request = ApprovalRequest(
        ref=new_secret(),
        frame_id=frame.id,
        user_id=user.id,
        client_id=frame.client_id,
        login_hint=login,
        amount=frame.amount,
        currency=frame.currency,
        expires_at=utcnow() + timedelta(seconds=settings.approval_timeout),
    )
    db.add(request)
    db.commit()
    logger.info(
        "request %s sent to %s's phone (%s)",
        redact(request.ref),
        user.username,
        f"pay {request.amount} {request.currency}" if request.amount else "sign-in",
    )
    return request


def expire_overdue(db: Session, settings: Settings) -> None:
    """Turn overdue pending requests to ``timeout`` (the server decides this).

    Also fails requests left ``approving`` well past any possible callback.
    """
    now = utcnow()
    timed_out = db.exec(
        update(ApprovalRequest)
        .where(col(ApprovalRequest.status) == RequestStatus.PENDING)
        .where(col(ApprovalRequest.expires_at) <= now)
        .values(status=RequestStatus.TIMEOUT, answered_at=now)
    ).rowcount
    stuck_since = now - timedelta(seconds=settings.callback_timeout) - _APPROVING_GRACE
    db.exec(
        update(ApprovalRequest)
        .where(col(ApprovalRequest.status) == RequestStatus.APPROVING)
        .where(col(ApprovalRequest.expires_at) <= stuck_since)
        .values(status=RequestStatus.FAILED, failure="callback never finished")
    )
    db.commit()
    if timed_out:
        logger.info("%d request(s) timed out unanswered", timed_out)


def request_by_ref(db: Session, ref: str) -> ApprovalRequest | None:
    """The request the frame knows by ``ref``."""
    return db.exec(select(ApprovalRequest).where(ApprovalRequest.ref == ref)).first()


def pending_for(db: Session, user: User) -> list[ApprovalRequest]:
    """The user's requests still waiting for an answer, oldest first."""
    return list(
        db.exec(
            select(ApprovalRequest)
            .where(ApprovalRequest.user_id == user.id)
            .where(col(ApprovalRequest.status) == RequestStatus.PENDING)
            .order_by(col(ApprovalRequest.id))
        ).all()
    )


def answer(
    db: Session, request_id: int, user: User, status: RequestStatus
) -> ApprovalRequest:
    """Record the phone's answer: ``approving`` (approved) or ``denied``.

    Raises:
        RequestNotFound: the user has no request with this id.
        RequestConflict: the request was answered, cancelled or expired.
    """
    now = utcnow()
    changed = db.exec(
        update(ApprovalRequest)
        .where(col(ApprovalRequest.id) == request_id)
        .where(col(ApprovalRequest.user_id) == user.id)
        .where(col(ApprovalRequest.status) == RequestStatus.PENDING)
        .where(col(ApprovalRequest.expires_at) > now)
        .values(status=status, answered_at=now)
    ).rowcount
    db.commit()

    request = db.get(ApprovalRequest, request_id, populate_existing=True)
    if request is None or request.user_id != user.id:
        raise RequestNotFound(request_id)
    if changed != 1:
        # Still pending here means it expired before the sweep noticed.
        reason = _CONFLICTS.get(request.status, _CONFLICTS[RequestStatus.TIMEOUT])
        raise RequestConflict(reason)
    verb = "approved" if status is RequestStatus.APPROVING else "denied"
    logger.info("request %s %s on %s's phone", request.id, verb, user.username)
    return request


def conclude(db: Session, request: ApprovalRequest, failure: str | None) -> None:
    """Settle an ``approving`` request: ``approved``, or ``failed`` with a cause."""
    request.status = RequestStatus.FAILED if failure else RequestStatus.APPROVED
    request.failure = failure
    db.add(request)
    db.commit()


def cancel(db: Session, request: ApprovalRequest) -> bool:
    """Withdraw a pending request (the user closed the frame); True if it was."""
    changed = db.exec(
        update(ApprovalRequest)
        .where(col(ApprovalRequest.id) == request.id)
        .where(col(ApprovalRequest.status) == RequestStatus.PENDING)
        .values(status=RequestStatus.CANCELLED, answered_at=utcnow())
    ).rowcount
    db.commit()
    if changed:
        logger.info("request %s cancelled from the frame", request.id)
    return bool(changed)
