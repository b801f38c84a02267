"""Sign-in attempts, and the rule that turns a browser's `success` into a sign-in.

The frame's `success` message proves nothing: any script can send one. A tab is
signed in only when all of these hold (the server-side proof):

1. the tab opened the IA frame (an open `SignInAttempt` of its own);
2. IA's approval callback for the user the person typed arrived after that
   attempt started and within `SIGNIN_CONFIRM_WINDOW` seconds of now;
3. neither that callback nor that attempt has been used before.

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

from ia_portal.models import IACallback, IAUser, SignInAttempt, utcnow
from ia_portal.users import find_users_by_login

logger = logging.getLogger(__name__)

# How long a tab may take between opening the frame and IA's answer.
ATTEMPT_LIFETIME = datetime.timedelta(minutes=10)
FINISHED = ("denied", "timeout", "closed")


def start_attempt(session: Session, client_token: str) -> SignInAttempt:
    """Record that this tab opened the IA frame; its older open attempts close."""
    now = utcnow()
    session.exec(
        sa.update(SignInAttempt)
        .where(col(SignInAttempt.client_token) == client_token)
        .where(col(SignInAttempt.status) == "open")
        .values(status="closed", finished_at=now)
    )
    attempt = SignInAttempt(
        id=secrets.token_urlsafe(24), client_token=client_token, started_at=now
    )
    session.add(attempt)
    session.commit()
    logger.info("sign-in attempt %s… started", attempt.id[:6])
    return attempt


def open_attempt(session: Session, attempt_id: str) -> SignInAttempt | None:
    """The attempt if it is still open and young enough to show IA's frame."""
    attempt = session.get(SignInAttempt, attempt_id)
    if attempt is None or attempt.status != "open":
        return None
    if utcnow() - attempt.started_at > ATTEMPT_LIFETIME:
        return None
    return attempt


def finish_attempt(
    session: Session, attempt_id: str, client_token: str, status: str
) -> bool:
    """End this tab's open attempt as denied, timed out or closed.

    Returns whether an open attempt of this tab was ended.
    """
    if status not in FINISHED:
        raise ValueError(f"not a finishing status: {status}")
    result = session.exec(
        sa.update(SignInAttempt)
        .where(col(SignInAttempt.id) == attempt_id)
        .where(col(SignInAttempt.client_token) == client_token)
        .where(col(SignInAttempt.status) == "open")
        .values(status=status, finished_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1


def confirm_success(
    session: Session,
    attempt_id: str,
    client_token: str,
    username_or_email: str,
    window: datetime.timedelta,
) -> IAUser | None:
    """Apply the server-side proof (module docstring) to a browser's `success`.

    Returns the user to sign in, or None when the proof is missing; either way
    the attempt is finished and cannot be used again.
    """
    attempt = session.get(SignInAttempt, attempt_id)
    if attempt is None or attempt.client_token != client_token:
        logger.warning("success for an attempt this tab does not own: refused")
        return None
    if attempt.status != "open":
        logger.warning("success for a %s attempt: refused", attempt.status)
        return None

    now = utcnow()
    earliest = max(attempt.started_at, now - window)
    for user in find_users_by_login(session, username_or_email):
        callback = session.exec(
            select(IACallback)
            .where(IACallback.ia_user_id == user.ia_user_id)
            .where(IACallback.received_at >= earliest)
            .where(col(IACallback.claimed_by_attempt).is_(None))
            .order_by(col(IACallback.received_at).desc())
        ).first()
        if callback is not None and _claim(session, attempt, callback, user, now):
            logger.info("sign-in attempt %s… confirmed", attempt.id[:6])
            return user

    _end_unconfirmed(session, attempt.id, now)
    logger.warning("sign-in attempt %s… not confirmed by a callback", attempt.id[:6])
    return None


def _claim(
    session: Session,
    attempt: SignInAttempt,
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
    confirmed = session.exec(
        sa.update(SignInAttempt)
        .where(col(SignInAttempt.id) == attempt.id)
        .where(col(SignInAttempt.status) == "open")
        .values(status="confirmed", finished_at=now, ia_user_id=user.ia_user_id)
    )
    if claimed.rowcount == 1 and confirmed.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    return False


def _end_unconfirmed(session: Session, attempt_id: str, now: datetime.datetime) -> None:
    session.exec(
        sa.update(SignInAttempt)
        .where(col(SignInAttempt.id) == attempt_id)
        .where(col(SignInAttempt.status) == "open")
        .values(status="unconfirmed", finished_at=now)
    )
    session.commit()
