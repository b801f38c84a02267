"""The sandbox's tables, in its own database (never the portal's).

Authorization codes, access tokens and frame tokens are bearer credentials:
only their SHA-256 hashes are stored (see `credentials.hash_secret`).

Times are aware UTC datetimes (`utcnow`); SQLModel stores them in UTC and
hands them back aware, even from SQLite.
"""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class SandboxModel(SQLModel, registry=registry()):
    """Base of the sandbox's tables: a registry (and metadata) of their own.

    The sandbox is another party's platform: its tables must never show up in
    the portal's metadata or migrations, even when both run in one process.
    """


class RequestStatus(StrEnum):
    """Where an approval request stands.

    ``pending`` waits for the phone; ``approving`` means the phone approved
    and the partner's callback is in flight; the rest are final.
    """

    PENDING = "pending"
    APPROVING = "approving"
    APPROVED = "approved"
    DENIED = "denied"
    TIMEOUT = "timeout"
    FAILED = "failed"
    CANCELLED = "cancelled"


class User(SandboxModel, table=True):
    """An IA account: what a partner may read with an access token."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    email: str = Field(unique=True, index=True)
    name: str
    phone: str | None = None


class FrameSession(SandboxModel, table=True):
    """One rendering of the authorization frame for a recognised partner.

    The frame's token lets its script create a request without the client
    secret, which travels only in the frame's own URL.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    client_id: str
    amount: str | None = None  # canonical decimal text, for a payment frame
    currency: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ApprovalRequest(SandboxModel, table=True):
    """A sign-in or payment request waiting for the user's answer on the phone."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, index=True)  # random; the frame polls by it
    frame_id: int = Field(foreign_key="framesession.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client_id: str
    login_hint: str  # what the user typed in the frame, trimmed
    amount: str | None = None
    currency: str | None = None
    status: RequestStatus = Field(default=RequestStatus.PENDING, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    answered_at: datetime | None = None
    failure: str | None = None  # why the partner's callback failed, for logs


class AuthorizationCode(SandboxModel, table=True):
    """A single-use code handed to the partner's callback after approval."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, index=True)
    request_id: int = Field(foreign_key="approvalrequest.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    client_id: str
    redirect_uri: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None  # set when the callback failed


class AccessToken(SandboxModel, table=True):
    """A bearer token for ``GET /api/public/user``; it does not expire."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client_id: str
    code_id: int = Field(foreign_key="authorizationcode.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class LedgerEntry(SandboxModel, table=True):
    """A payment a partner received: an approved payment request whose
    callback the partner accepted. Names are copied so the entry reads the
    same after a user or partner is renamed.
    """

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="approvalrequest.id", unique=True)
    client_id: str
    partner_name: str
    user_id: int = Field(foreign_key="user.id", index=True)
    username: str
    # Canonical decimal text exactly as validated (see `payment`); summed
    # with Decimal, never converted to a float.
    amount: str
    currency: str
    approved_at: datetime = Field(default_factory=utcnow, index=True)
