"""The portal's tables: IA users and their profile, callbacks, attempts, payments,
sessions, the tabs that show a profile, and the inspector's protocol steps.

Times are aware UTC datetimes; SQLModel stores them so that SQLite and
PostgreSQL both give them back in UTC.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ia_portal.token_vault import SealedToken


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
    # Sealed in the database (ia_portal.token_vault), in clear in Python.
    # Dropped when IA answers 401 on a re-sync: the user revoked our access.
    access_token: str | None = Field(default=None, sa_column=sa.Column(SealedToken))
    access_revoked_at: datetime.datetime | None = None
    # The order of re-syncs (ia_portal.resync): the last ticket handed out, and
    # the ticket whose answer is stored; an older answer is never stored.
    sync_tickets: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    synced_ticket: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
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


class IAAttempt(SQLModel, table=True):
    """A browser tab opened the IA frame, to sign in or to pay.

    It may end in at most one approval.
    """

    __tablename__ = "ia_attempt"

    id: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(default="signin", max_length=16)  # signin | payment
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


class Payment(SQLModel, table=True):
    """A payment asked of IA from one attempt; paid once at most.

    The amount is an integer of the currency's minor units (26390 = 263.90 USD):
    no float anywhere.
    """

    __tablename__ = "payment"

    id: str = Field(primary_key=True, max_length=64)
    attempt_id: str = Field(foreign_key="ia_attempt.id", unique=True, max_length=64)
    client_token: str = Field(index=True, max_length=128)
    # Who paid: known once IA's callback confirmed it.
    user_id: int | None = Field(default=None, foreign_key="ia_user.id", index=True)
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    description: str = Field(default="", max_length=500)
    # pending → paid | denied | timeout | unconfirmed | cancelled
    status: str = Field(default="pending", max_length=16)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    finished_at: datetime.datetime | None = None


class ProfileChange(SQLModel, table=True):
    """What a re-sync with IA changed in a user's profile, and when."""

    __tablename__ = "profile_change"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="ia_user.id", index=True)
    changed_at: datetime.datetime = Field(default_factory=utcnow)
    # {item: [old, new]} for each item that changed; {} for a revocation.
    changes: dict[str, list[str | None]] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    revoked: bool = False


class LiveTab(SQLModel, table=True):
    """A browser tab (Reflex client token) that shows a signed-in user's data.

    A re-sync pushes the new profile to these tabs while they are connected.
    """

    __tablename__ = "live_tab"

    client_token: str = Field(primary_key=True, max_length=128)
    user_id: int = Field(foreign_key="ia_user.id", index=True)
    seen_at: datetime.datetime = Field(default_factory=utcnow)


class InspectorEvent(SQLModel, table=True):
    """One protocol step the portal saw, as the live inspector shows it.

    Written by `ia_portal.inspector` only. It never holds a secret: codes are
    shortened, the client secret is redacted, access tokens are never recorded.
    """

    __tablename__ = "inspector_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime.datetime = Field(default_factory=utcnow)
    step: str = Field(max_length=32)
    ok: bool = True
    # The attempt the step belongs to. IA's callback names no browser, so its
    # steps get one only when a browser's success claims that callback.
    attempt_id: str | None = Field(default=None, max_length=64, index=True)
    # The callback request a step belongs to (protocol steps 4-6).
    trace: str | None = Field(default=None, max_length=32, index=True)
    # The `ia_callback` row that request stored: the claim links it by this.
    callback_id: int | None = Field(default=None, index=True)
    # The browser (not the tab) that started an attempt, on its first step.
    browser: str | None = Field(default=None, max_length=64, index=True)
    summary: str = Field(default="", max_length=300)
    # [label, value, "personal" or ""] triples; personal values are masked for
    # other browsers.
    details: list[list[str]] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
