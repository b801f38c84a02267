"""The portal's settings: read once from the environment and `.env`, checked at start.

Every other module asks `get_settings()`; nothing else reads `os.environ`. A missing
or malformed setting raises `SettingsError`, whose message is one line naming it.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from urllib.parse import urlsplit

from babel.numbers import get_currency_name
from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


_DEFAULT_PORTS = {"http": 80, "https": 443}
# The URL schemes Reflex's Redis client accepts.
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _origin_of(url: str) -> str:
    """Return `scheme://host[:port]` of an http(s) URL, lower-cased, or raise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL, got {url!r}")
    origin = f"{parts.scheme}://{parts.hostname}"
    # Browsers leave a scheme's default port out of `event.origin`; so do we.
    if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
        origin += f":{parts.port}"
    return origin.lower()


def _port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or _DEFAULT_PORTS[parts.scheme]


class Settings(BaseSettings):
    """What the portal needs to know about itself and about the IA platform."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The IA platform: its base URL and this partner's registration with it.
    ia_server_url: str = "http://localhost:8001"
    ia_client_id: str = Field(min_length=1)
    ia_client_secret: SecretStr
    ia_callback_url: str = "http://localhost:8000/ia/callback"
    ia_http_timeout: float = Field(default=10.0, gt=0, le=120)

    # The portal itself: where browsers reach its pages and its backend.
    portal_url: str = "http://localhost:3000"
    portal_api_url: str = "http://localhost:8000"
    database_url: str = "sqlite:///.data/ia_portal.db"
    # Empty: tab states live in this one backend process. A Redis URL: they
    # live in Redis, so several backend workers can share the tabs.
    redis_url: str = ""

    # Payments: the currency this partner registered with IA, and the most a
    # single payment may ask for.
    payment_currency: str = "USD"
    payment_max_amount: Decimal = Field(default=Decimal("10000"), gt=0, le=10**9)

    # Fernet keys that seal IA access tokens at rest, comma-separated: the first
    # seals, every one opens (ia_portal.token_vault explains rotation).
    token_encryption_keys: SecretStr

    # How long a browser's success message may trail the IA callback, and how
    # long a signed-in session lasts.
    signin_confirm_window: int = Field(default=120, gt=0, le=3600)
    session_lifetime_hours: int = Field(default=24 * 14, gt=0)

    # How many protocol steps the inspector keeps, newest first; 0 records none.
    inspector_retention_events: int = Field(default=2000, ge=0, le=1_000_000)

    @field_validator("ia_server_url", "ia_callback_url", "portal_url", "portal_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        _origin_of(value)
        return value.strip().rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        url = value.strip()
        if url and not url.startswith(_REDIS_SCHEMES):
            # The URL may carry a password: name the schemes, never echo it.
            raise ValueError("must start with redis://, rediss:// or unix://")
        return url

    @field_validator("payment_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or get_currency_name(code, locale="en") == code:
            raise ValueError(f"must be an ISO 4217 currency code, got {value!r}")
        return code

    @field_validator("ia_client_secret")
    @classmethod
    def _secret_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("token_encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr) -> SecretStr:
        # The messages number the bad entry and never quote it: it is a secret.
        keys = [key.strip() for key in value.get_secret_value().split(",")]
        if keys == [""]:
            raise ValueError("must list at least one Fernet key")
        for number, key in enumerate(keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    f"entry {number} of {len(keys)} is not a Fernet key"
                    " (32 url-safe base64-encoded bytes)"
                ) from None
        return SecretStr(",".join(keys))

    @property
    def token_keys(self) -> list[str]:
        """The Fernet keys, the sealing one first."""
        return self.token_encryption_keys.get_secret_value().split(",")

    @property
    def ia_origin(self) -> str:
        """The exact origin IA's frame posts its messages from."""
        return _origin_of(self.ia_server_url)

    @property
    def portal_origin(self) -> str:
        """The partner's registered domain, as an origin."""
        return _origin_of(self.portal_url)

    @property
    def frontend_port(self) -> int:
        return _port_of(self.portal_url)

    @property
    def backend_port(self) -> int:
        return _port_of(self.portal_api_url)


def _describe(error: ValidationError) -> str:
    """Turn pydantic's first error into one line that names the setting."""
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "settings"
    if first["type"] == "missing":
        return f"Setting {name} is missing: set it in the environment or in .env"
    message = first["msg"].removeprefix("Value error, ")
    return f"Setting {name} is invalid: {message}"


@functools.cache
def get_settings() -> Settings:
    """Load and check the settings once per process.

    Raises:
        SettingsError: a setting is missing or malformed.
    """
    try:
        return Settings()  # type: ignore[call-arg]  # fields come from the environment
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
