"""Authorization codes and access tokens: what an approval grants a partner.

An approval yields one code (`issue_code`); the partner trades it once for
an access token (`redeem_code`) and reads the user with it (`user_for_token`)
until the user revokes its access (`revoke_access`). Only hashes of codes and
tokens are stored.
"""

import logging
from datetime import timedelta

from sqlmodel import Session, col, select, update

from ia_sandbox.config import Settings
from ia_sandbox.credentials import hash_secret, new_secret, redact, same
from ia_sandbox.models import (
    AccessToken,
    ApprovalRequest,
    AuthorizationCode,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)


class InvalidGrant(Exception):
    """The code cannot be redeemed; ``str(exc)`` is the error description."""


def issue_code(db: Session, settings: Settings, request: ApprovalRequest) -> str:
    """Issue a single-use code for an approved request; return it in clear."""
    assert request.id is not None
    code = new_secret()
    db.add(
        AuthorizationCode(
            code_hash=hash_secret(code),
            request_id=request.id,
            user_id=request.user_id,
            client_id=request.client_id,
            redirect_uri=settings.partner_callback_url,
            expires_at=utcnow() + timedelta(seconds=settings.code_ttl),
        )
    )
    db.commit()
    logger.info("code %s issued for request %s", redact(code), request.id)
    return code


def redeem_code(db: Session, code: str, client_id: str, redirect_uri: str) -> str:
    """Trade a code for a new access token, at most once per code.

    The caller has already authenticated ``client_id``.

    Raises:
        InvalidGrant: the code is unknown, used, expired, revoked, issued to
            another client, or ``redirect_uri`` is not the one it was sent to.
    """
    grant = db.exec(
        select(AuthorizationCode).where(
            AuthorizationCode.code_hash == hash_secret(code)
        )
    ).first()
    if grant is None or not same(grant.client_id, client_id):
        raise InvalidGrant("The authorization code is not valid for this client.")
    if redirect_uri != grant.redirect_uri:
        raise InvalidGrant("redirect_uri is not the registered callback URL.")

    # Claim the code in one conditional UPDATE: of two concurrent exchanges,
    # only one can match ``used_at IS NULL``.
    now = utcnow()
    claimed = db.exec(
        update(AuthorizationCode)
        .where(col(AuthorizationCode.id) == grant.id)
        .where(col(AuthorizationCode.used_at).is_(None))
        .where(col(AuthorizationCode.revoked_at).is_(None))
        .where(col(AuthorizationCode.expires_at) > now)
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        db.rollback()
        db.refresh(grant)
        raise InvalidGrant(_why_unusable(grant))

    assert grant.id is not None
    token = new_secret()
    db.add(
        AccessToken(
            token_hash=hash_secret(token),
            user_id=grant.user_id,
            client_id=grant.client_id,
            code_id=grant.id,
        )
    )
    db.commit()
    logger.info("code %s exchanged for token %s", redact(code), redact(token))
    return token


def _why_unusable(grant: AuthorizationCode) -> str:
    if grant.revoked_at is not None:
        return "The authorization code was revoked."
    if grant.used_at is not None:
        return "The authorization code was already used."
    return "The authorization code has expired."


def revoke_grant(db: Session, request_id: int) -> None:
    """Revoke the request's code and any token already traded for it.

    Used when the partner's callback failed: the user was told the sign-in
    did not happen, so nothing it produced may keep working.
    """
    now = utcnow()
    codes = select(AuthorizationCode.id).where(
        AuthorizationCode.request_id == request_id
    )
    db.exec(
        update(AuthorizationCode)
        .where(col(AuthorizationCode.request_id) == request_id)
        .where(col(AuthorizationCode.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    db.exec(
        update(AccessToken)
        .where(col(AccessToken.code_id).in_(codes))
        .where(col(AccessToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    db.commit()


def user_for_token(db: Session, token: str) -> User | None:
    """The user a live (unrevoked) access token reads, or None."""
    return db.exec(
        select(User)
        .join(AccessToken, col(AccessToken.user_id) == col(User.id))
        .where(AccessToken.token_hash == hash_secret(token))
        .where(col(AccessToken.revoked_at).is_(None))
    ).first()


def has_access(db: Session, user_id: int, client_id: str) -> bool:
    """Whether the client holds a live access token for the user."""
    live = db.exec(
        select(AccessToken.id)
        .where(AccessToken.user_id == user_id)
        .where(AccessToken.client_id == client_id)
        .where(col(AccessToken.revoked_at).is_(None))
    ).first()
    return live is not None


def revoke_access(db: Session, user_id: int, client_id: str) -> int:
    """Revoke every live token the client holds for the user; return how many.

    Codes issued but not yet traded are revoked too, or the partner could
    trade one afterwards for a token the user never meant to leave it.
    """
    now = utcnow()
    tokens = db.exec(
        update(AccessToken)
        .where(col(AccessToken.user_id) == user_id)
        .where(col(AccessToken.client_id) == client_id)
        .where(col(AccessToken.revoked_at).is_(None))
        .values(revoked_at=now)
    ).rowcount
    db.exec(
        update(AuthorizationCode)
        .where(col(AuthorizationCode.user_id) == user_id)
        .where(col(AuthorizationCode.client_id) == client_id)
        .where(col(AuthorizationCode.used_at).is_(None))
        .where(col(AuthorizationCode.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    db.commit()
    return tokens
