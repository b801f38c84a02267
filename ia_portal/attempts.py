"""Attempts, and the rule that turns a browser's `success` into an approval.

An attempt starts when a tab opens IA's frame, to sign in or to pay. The
frame's `success` message proves nothing: any script can send one. An attempt
is approved only when all of these hold (the server-side proof):

1. it is an open attempt of this very tab;
2. IA's approval callback for the user the person typed arrived after the
   attempt started and within `SIGNIN_CONFIRM_WINDOW` seconds of now;
3. neither that callback nor that attempt has been used before.

A payment lives and ends with its attempt: approved → paid, denied → denied,
timed out → timeout, closed or replaced → cancelled.

When a backend restart loses a page's attempt (and the frame with it, so no
`success` can come), the attempt is approved only for the person signed in on
that page, whose own identity stands in for the login the frame would have
named; otherwise it ends as closed and the page says why.
Limitation: an approval a signed-out payer gave just then is recorded by IA
alone: the protocol gives a partner no way to ask IA about a payment later.

Limitation: IA's callback carries nothing that names the browser (its `state`
is the user's identity, not an anti-forgery value), so when two tabs claim the
same user's callback in the same window, the first claim wins and the other is
refused. The protocol offers no stronger binding.
"""

from __future__ import annotations

import datetime
import logging
import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ia_portal import inspector
from ia_portal.inspector import Step
from ia_portal.models import IAAttempt, IACallback, IAUser, Payment, utcnow
from ia_portal.users import find_users_by_login

logger = logging.getLogger(__name__)

# How long a tab may take between opening the frame and IA's answer.
ATTEMPT_LIFETIME = datetime.timedelta(minutes=10)
# An attempt's ending, and what it means for the attempt's payment.
PAYMENT_STATUS = {
    "confirmed": "paid",
    "denied": "denied",
    "timeout": "timeout",
    "unconfirmed": "unconfirmed",
    "closed": "cancelled",
}
FINISHED = ("denied", "timeout", "closed")


def new_attempt(session: Session, client_token: str, purpose: str) -> IAAttempt:
    """Add an attempt for this tab (uncommitted); the tab's open ones close.

    Attempts any tab left open past their lifetime end here as timed out, so
    an abandoned payment does not stay pending for ever.
    """
    now = utcnow()
    for stale in session.exec(
        select(IAAttempt.id)
        .where(IAAttempt.status == "open")
        .where(IAAttempt.started_at < now - ATTEMPT_LIFETIME)
    ).all():
        _end(session, stale, "timeout", now)
    for older in session.exec(
        select(IAAttempt)
        .where(IAAttempt.client_token == client_token)
        .where(IAAttempt.status == "open")
    ).all():
        _end(session, older.id, "closed", now)
    attempt = IAAttempt(
        id=secrets.token_urlsafe(24),
        purpose=purpose,
        client_token=client_token,
        started_at=now,
    )
    session.add(attempt)
    logger.info("%s attempt %s… started", purpose, attempt.id[:6])
    return attempt


def start_attempt(session: Session, client_token: str) -> IAAttempt:
    """Record that this tab opened the IA frame to sign in."""
    attempt = new_attempt(session, client_token, "signin")
    session.commit()
    return attempt


def open_attempt(session: Session, attempt_id: str) -> IAAttempt | None:
    """The attempt if it is still open and young enough to show IA's frame."""
    attempt = session.get(IAAttempt, attempt_id)
    if attempt is None or attempt.status != "open":
        return None
    if utcnow() - attempt.started_at > ATTEMPT_LIFETIME:
        return None
    return attempt


def open_attempt_of(
    session: Session, client_token: str, purpose: str
) -> IAAttempt | None:
    """This tab's open attempt for `purpose`, read from the database.

    The page's state may have lost it (a backend restart); the database has not.
    """
    attempt = session.exec(
        select(IAAttempt)
        .where(IAAttempt.client_token == client_token)
        .where(IAAttempt.purpose == purpose)
        .where(IAAttempt.status == "open")
        .order_by(col(IAAttempt.started_at).desc())
    ).first()
    return attempt if attempt and open_attempt(session, attempt.id) else None


def _end(
    session: Session,
    attempt_id: str,
    status: str,
    now: datetime.datetime,
    client_token: str | None = None,
    ia_user_id: int | None = None,
    payer_id: int | None = None,
) -> bool:
    """Move an open attempt (and its pending payment) to `status`, uncommitted."""
    ended = sa.update(IAAttempt).where(col(IAAttempt.id) == attempt_id)
    if client_token is not None:
        ended = ended.where(col(IAAttempt.client_token) == client_token)
    result = session.exec(
        ended.where(col(IAAttempt.status) == "open").values(
            status=status, finished_at=now, ia_user_id=ia_user_id
        )
    )
    if result.rowcount != 1:
        return False
    session.exec(
        sa.update(Payment)
        .where(col(Payment.attempt_id) == attempt_id)
        .where(col(Payment.status) == "pending")
        .values(status=PAYMENT_STATUS[status], finished_at=now, user_id=payer_id)
    )
    return True


def finish_attempt(
    session: Session, attempt_id: str, client_token: str, status: str
) -> bool:
    """End this tab's open attempt as denied, timed out or closed.

    Returns whether an open attempt of this tab was ended.
    """
    if status not in FINISHED:
        raise ValueError(f"not a finishing status: {status}")
    ended = _end(session, attempt_id, status, utcnow(), client_token=client_token)
    session.commit()
    return ended


def confirm_approval(
    session: Session,
    attempt_id: str,
    client_token: str,
    username_or_email: str,
    window: datetime.timedelta,
) -> IAUser | None:
    """Apply the server-side proof (module docstring) to a browser's `success`.

    Returns the user IA vouched for, or None when the proof is missing; either
    way the attempt is finished and cannot be used again.
    """
    bind = session.get_bind()
    attempt = session.get(IAAttempt, attempt_id)
    if attempt is None or attempt.client_token != client_token:
        logger.warning("success for an attempt this tab does not own: refused")
        _no_proof(bind, attempt_id, "not an open attempt of this tab")
        return None
    if attempt.status != "open":
        logger.warning("success for a %s attempt: refused", attempt.status)
        _no_proof(bind, attempt_id, f"the attempt already ended ({attempt.status})")
        return None

    for user in find_users_by_login(session, username_or_email):
        if claim_callback(session, attempt, user, window):
            return user

    _end(session, attempt.id, "unconfirmed", utcnow())
    session.commit()
    logger.warning("attempt %s… not confirmed by a callback", attempt.id[:6])
    _no_proof(
        bind,
        attempt.id,
        f"no unclaimed IA callback for {username_or_email!r} since the attempt "
        f"started, within {int(window.total_seconds())} s",
    )
    return None


def claim_callback(
    session: Session,
    attempt: IAAttempt,
    user: IAUser,
    window: datetime.timedelta,
) -> bool:
    """Approve the open `attempt` with `user`'s unused approval callback, if any.

    The callback must have arrived after the attempt started and within
    `window` of now (rule 2 of the module docstring). Commits when it claims.
    """
    now = utcnow()
    earliest = max(attempt.started_at, now - window)
    callback = session.exec(
        select(IACallback)
        .where(IACallback.ia_user_id == user.ia_user_id)
        .where(IACallback.received_at >= earliest)
        .where(col(IACallback.claimed_by_attempt).is_(None))
        .order_by(col(IACallback.received_at).desc())
    ).first()
    if callback is None or not _claim(session, attempt, callback, user, now):
        return False
    logger.info("%s attempt %s… confirmed", attempt.purpose, attempt.id[:6])
    lead = now - callback.received_at
    _proof_held(session.get_bind(), attempt.id, user, lead, window)
    return True


def _proof_held(
    bind: sa.Engine | sa.Connection,
    attempt_id: str,
    user: IAUser,
    lead: datetime.timedelta,
    window: datetime.timedelta,
) -> None:
    inspector.record(
        Step.CONFIRMATION,
        attempt_id=attempt_id,
        bind=bind,
        summary=f"proof held: IA's callback for {user.username} claimed",
        details=[
            ("callback", f"IA user {user.ia_user_id}"),
            ("arrived", f"{lead.total_seconds():.3f} s before the proof was asked"),
            ("checks", "this tab's open attempt, callback since its start"),
            ("window", f"{int(window.total_seconds())} s, callback unclaimed"),
        ],
    )


def _no_proof(bind: sa.Engine | sa.Connection, attempt_id: str, why: str) -> None:
    inspector.record(
        Step.CONFIRMATION, attempt_id=attempt_id, bind=bind, ok=False, summary=why
    )


def _claim(
    session: Session,
    attempt: IAAttempt,
    callback: IACallback,
    user: IAUser,
    now: datetime.datetime,
) -> bool:
    """Mark callback and attempt used together; False if either was taken first."""
    claimed = session.exec(
        sa.update(IACallback)
        .where(col(IACallback.id) == callback.id)
        .where(col(IACallback.claimed_by_attempt).is_(None))
        .values(claimed_by_attempt=attempt.id)
    )
    confirmed = claimed.rowcount == 1 and _end(
        session,
        attempt.id,
        "confirmed",
        now,
        ia_user_id=user.ia_user_id,
        payer_id=user.id,
    )
    if confirmed:
        session.commit()
        assert callback.id is not None
        inspector.link_callback(session.get_bind(), callback.id, attempt.id)
        return True
    session.rollback()
    return False
