"""The portal's tables: IA users and their profile, callbacks, attempts, sessions.

Times are aware UTC datetimes; SQLModel stores them so that SQLite and
PostgreSQL both give them back in UTC.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime.datetime:
    """The current time, aware, in UTC."""
    return datetime.datetime.now(datetime.UTC)


class IAUser(SQLModel, table=True):
    """A person known to IA who has signed in here, with what IA shared of them.

    `ia_user_id` is IA's own id for the user, the only key we match on: usernames
    and emails can change on IA's side.
    """

    __tablename__ = "ia_user"

    id: int | None = Field(default=None, primary_key=True)
    ia_user_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, unique=True, nullable=False)
    )
    username: str = ""
    email: str = ""
    name: str = ""
    phone: str | None = None
    # Every item IA returned, keys lower-cased, so nothing shared is dropped.
    profile_items: dict[str, str] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    access_token: str | None = None
    created_at: datetime.datetime = Field(default_factory=utcnow)
    last_synced_at: datetime.datetime = Field(default_factory=utcnow)


class IACallback(SQLModel, table=True):
    """One successful approval callback: IA vouched for this user at this time.

    A browser's `success` message may claim it once (`claimed_by_attempt`).
    """

    __tablename__ = "ia_callback"

    id: int | None = Field(default=None, primary_key=True)
    ia_user_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, nullable=False, index=True)
    )
    received_at: datetime.datetime = Field(default_factory=utcnow, index=True)
    claimed_by_attempt: str | None = None


class SignInAttempt(SQLModel, table=True):
    """A browser tab opened the IA frame; it may end in at most one sign-in."""

    __tablename__ = "signin_attempt"

    id: str = Field(primary_key=True, max_length=64)
    client_token: str = Field(index=True, max_length=128)
    started_at: datetime.datetime = Field(default_factory=utcnow)
    # open → confirmed | denied | timeout | unconfirmed | closed
    status: str = Field(default="open", max_length=16)
    finished_at: datetime.datetime | None = None
    ia_user_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))


class PortalSession(SQLModel, table=True):
    """A signed-in browser. The browser holds a random token; we keep its hash."""

    __tablename__ = "portal_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="ia_user.id", index=True)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    expires_at: datetime.datetime
    ended_at: datetime.datetime | None = None
