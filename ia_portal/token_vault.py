"""IA access tokens sealed at rest with Fernet, under keys that can be rotated.

`TOKEN_ENCRYPTION_KEYS` lists Fernet keys: the first seals, every one opens.
To rotate, put a new key first and keep the old one after it, run
`python -m ia_portal.token_vault rotate` (it re-seals every stored token with
the new key and prints how many), then drop the old key.

`IAUser.access_token` is a `SealedToken` column: the code reads and writes the
token in clear, the database only ever holds the sealed value. A stored value
that no key opens reads as no token at all, as if the user had revoked access:
they sign in again, and no request fails on it.

Exceptions: `UnopenableToken` (a sealed value no configured key opens).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlmodel import Session, col, select

from ia_portal.config import SettingsError, get_settings
from ia_portal.db import open_session

logger = logging.getLogger(__name__)


class UnopenableToken(Exception):
    """No key of `TOKEN_ENCRYPTION_KEYS` opens this value.

    Its key was dropped from the list, or the stored value was altered.
    """


def _vault() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in get_settings().token_keys])


def seal(token: str) -> str:
    """Encrypt and authenticate `token` with the first configured key."""
    return _vault().encrypt(token.encode()).decode("ascii")


def open_sealed(value: str) -> str:
    """The token `seal` sealed into `value`, opened with any configured key.

    Raises:
        UnopenableToken: no configured key opens `value`.
    """
    try:
        return _vault().decrypt(value.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise UnopenableToken("no key of TOKEN_ENCRYPTION_KEYS opens it") from None


class SealedToken(sa.TypeDecorator[str]):
    """A string column holding a sealed token; Python sees the token in clear.

    Sealing is randomised, so a query cannot filter on this column's value.
    """

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return open_sealed(value)
        except UnopenableToken:
            # Like a revoked token: the user must sign in again, nothing crashes.
            logger.warning("a stored access token opens with no configured key")
            return None


def reseal_all(session: Session) -> int:
    """Re-seal every stored token with the first key; commit; return how many.

    Values no key opens are left as they are (and logged, never shown). A token
    a sign-in replaces meanwhile is not overwritten.
    """
    # Imported here: models imports this module for its column type.
    from ia_portal.models import IAUser

    # The stored (sealed) values themselves, not what the column type opens.
    stored = sa.type_coerce(col(IAUser.access_token), sa.String)
    vault = _vault()
    rows = session.exec(select(IAUser.id, stored).where(stored.is_not(None))).all()

    resealed = unopenable = 0
    for user_id, value in rows:
        try:
            fresh = vault.rotate(value.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            unopenable += 1
            continue
        result = session.exec(
            sa.update(IAUser)
            .where(col(IAUser.id) == user_id)
            .where(stored == value)
            .values(access_token=sa.type_coerce(fresh, sa.String))
            # Loaded users must not take the sealed value as their token.
            .execution_options(synchronize_session=False)
        )
        resealed += result.rowcount
    session.commit()
    session.expire_all()

    logger.info("re-sealed %s access tokens with the first key", resealed)
    if unopenable:
        logger.warning(
            "%s stored access tokens open with no configured key", unopenable
        )
    return resealed


def main(argv: list[str] | None = None) -> int:
    """`python -m ia_portal.token_vault rotate`: re-seal with the first key."""
    parser = argparse.ArgumentParser(
        prog="python -m ia_portal.token_vault",
        description="Re-seal the stored IA access tokens with the first key of "
        "TOKEN_ENCRYPTION_KEYS (after putting a new key first).",
    )
    parser.add_argument("command", choices=["rotate"])
    parser.parse_args(argv)

    try:
        with open_session() as session:
            count = reseal_all(session)
    except SettingsError as error:
        print(f"ia_portal: {error}", file=sys.stderr)
        return 2
    except sa.exc.SQLAlchemyError as error:
        # One commit at the end: a failure leaves every stored value as it was.
        cause = getattr(error, "orig", None) or type(error).__name__
        print(f"ia_portal: nothing was re-sealed: {cause}", file=sys.stderr)
        return 1
    print(f"re-sealed {count} access tokens with the first key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
