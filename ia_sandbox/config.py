"""The sandbox's settings, read once from the environment and ``.env``.

Every setting is an environment variable prefixed ``SANDBOX_``; the same
``.env`` file also holds the portal's settings, so unknown names are ignored.
`load_settings` is the one entry point: it raises `SettingsError`, whose
message is a single line naming the offending variable, fit for stderr.
"""

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ia_sandbox.fault_plan import Fault, parse_plan

ENV_PREFIX = "SANDBOX_"

_DEFAULT_PORTS = {"http": 80, "https": 443}

Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class SettingsError(Exception):
    """The settings are missing or malformed; ``str(exc)`` is one line."""


def _origin(value: str, *, schemes: tuple[str, ...]) -> str:
    """Normalise ``scheme://host[:port]`` the way a browser serialises origins.

    Raises:
        ValueError: the value has a path, query, credentials or another scheme.
    """
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise ValueError(f"must look like {schemes[0]}://host[:port], got {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"must be an origin without a path, got {value!r}")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"has an invalid port: {value!r}") from None
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in an origin
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class Settings(BaseSettings):
    """The registered partner and the sandbox's own knobs.

    Field ``x`` is read from ``SANDBOX_X``. Times are in seconds.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore"
    )

    url: str = "http://localhost:8001"
    database_url: str = "sqlite:///.data/ia_sandbox.db"
    partner_name: str = Field("IA Portal (demo)", min_length=1)
    partner_client_id: str = Field(min_length=1)
    partner_client_secret: SecretStr
    partner_domain: str = "http://localhost:3000"
    partner_callback_url: str = "http://localhost:8000/ia/callback"
    partner_currency: str = "USD"
    approval_timeout: Seconds = 60
    code_ttl: Seconds = 60
    callback_timeout: Seconds = 10
    # Test-only knobs, off by default: see `fault_plan` and `faults`.
    # NoDecode: the value is ``token=500,…``, not the JSON pydantic expects.
    faults: Annotated[dict[str, Fault], NoDecode] = Field(default_factory=dict)
    test_controls: bool = False

    @field_validator("url")
    @classmethod
    def _own_origin(cls, value: str) -> str:
        # The sandbox serves plain HTTP itself, so an https origin would lie.
        return _origin(value, schemes=("http",))

    @field_validator("partner_domain")
    @classmethod
    def _partner_origin(cls, value: str) -> str:
        return _origin(value, schemes=("http", "https"))

    @field_validator("partner_callback_url")
    @classmethod
    def _callback(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("partner_client_secret")
    @classmethod
    def _secret_not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty")
        return value

    @field_validator("partner_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"must be 3 upper-case letters (ISO 4217), got {value!r}")
        return value

    @field_validator("faults", mode="before")
    @classmethod
    def _faults(cls, value: Any) -> Any:
        return parse_plan(value) if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL such as sqlite:///file.db") from None
        return value

    @property
    def bind_host(self) -> str:
        """The host uvicorn binds to, taken from `url` (brackets stripped)."""
        return urlsplit(self.url).hostname or "localhost"

    @property
    def bind_port(self) -> int:
        """The port uvicorn binds to, taken from `url` (80 when omitted)."""
        return urlsplit(self.url).port or 80


def _describe(error: Any) -> str:
    """One error of a `ValidationError` as ``SANDBOX_NAME is invalid: why``."""
    name = ENV_PREFIX + str(error["loc"][0]).upper() if error["loc"] else ENV_PREFIX
    if error["type"] == "missing":
        return f"{name} is not set (it is required)"
    # Pydantic prefixes messages raised by validators; the name says enough.
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    shown = error.get("input")
    # A secret or a database URL (which may hold a password) is never echoed.
    quiet = name.endswith(("SECRET", "DATABASE_URL"))
    if quiet or not isinstance(shown, str) or repr(shown) in message:
        return f"{name} is invalid: {message}"
    return f"{name} is invalid: {message} (got {shown!r})"


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read and validate the settings.

    Args:
        env_file: the dotenv file to read besides the environment, or None.

    Raises:
        SettingsError: a setting is missing or malformed.
    """
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        errors = exc.errors()
        line = _describe(errors[0])
        if len(errors) > 1:
            line += f" (and {len(errors) - 1} more invalid or missing)"
        raise SettingsError(line) from None
