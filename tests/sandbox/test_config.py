"""Settings: defaults, validation, and the one-line error at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from ia_sandbox.config import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding only the two required settings."""
    for name in list(os.environ):
        if name.startswith("SANDBOX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SANDBOX_PARTNER_CLIENT_ID", "demo-client")
    monkeypatch.setenv("SANDBOX_PARTNER_CLIENT_SECRET", "demo-secret")
    return monkeypatch


def test_defaults_apply_when_only_the_keys_are_set(env: pytest.MonkeyPatch) -> None:
    settings = load_settings(env_file=None)

    assert settings.url == "http://localhost:8001"
    assert settings.database_url == "sqlite:///.data/ia_sandbox.db"
    assert settings.partner_name == "IA Portal (demo)"
    assert settings.partner_domain == "http://localhost:3000"
    assert settings.partner_callback_url == "http://localhost:8000/ia/callback"
    assert settings.partner_currency == "USD"
    assert (settings.approval_timeout, settings.code_ttl) == (60, 60)
    assert settings.callback_timeout == 10
    assert (settings.bind_host, settings.bind_port) == ("localhost", 8001)


def test_malformed_approval_timeout_names_the_setting(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("SANDBOX_APPROVAL_TIMEOUT", "soon")

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == (
        "SANDBOX_APPROVAL_TIMEOUT is invalid: input should be a valid number, "
        "unable to parse string as a number (got 'soon')"
    )


def test_non_positive_approval_timeout_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("SANDBOX_APPROVAL_TIMEOUT", "0")

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == (
        "SANDBOX_APPROVAL_TIMEOUT is invalid: input should be greater than 0 (got '0')"
    )


def test_missing_client_id_is_named(env: pytest.MonkeyPatch) -> None:
    env.delenv("SANDBOX_PARTNER_CLIENT_ID")

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == "SANDBOX_PARTNER_CLIENT_ID is not set (it is required)"


def test_a_bad_secret_is_never_echoed(env: pytest.MonkeyPatch) -> None:
    env.setenv("SANDBOX_PARTNER_CLIENT_SECRET", "")

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == (
        "SANDBOX_PARTNER_CLIENT_SECRET is invalid: must not be empty"
    )


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("http://localhost:3000/", "http://localhost:3000"),
        ("HTTPS://Portal.Example.com:443", "https://portal.example.com"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
    ],
)
def test_partner_domain_is_normalised_to_an_origin(given: str, origin: str) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        partner_client_id="id",
        partner_client_secret=SecretStr("secret"),
        partner_domain=given,
    )

    assert settings.partner_domain == origin


@pytest.mark.parametrize(
    "given", ["localhost:3000", "http://localhost:3000/login", "ftp://host"]
)
def test_partner_domain_must_be_an_origin(env: pytest.MonkeyPatch, given: str) -> None:
    env.setenv("SANDBOX_PARTNER_DOMAIN", given)

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value).startswith("SANDBOX_PARTNER_DOMAIN is invalid: must")


def test_currency_must_be_three_capitals(env: pytest.MonkeyPatch) -> None:
    env.setenv("SANDBOX_PARTNER_CURRENCY", "usd")

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == (
        "SANDBOX_PARTNER_CURRENCY is invalid: must be 3 upper-case letters "
        "(ISO 4217), got 'usd'"
    )


def test_running_with_a_bad_setting_prints_one_line_and_exits_2(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env |= {
        "SANDBOX_PARTNER_CLIENT_ID": "demo-client",
        "SANDBOX_PARTNER_CLIENT_SECRET": "demo-secret",
        "SANDBOX_APPROVAL_TIMEOUT": "soon",
        "PYTHONPATH": str(REPO),
    }

    # Run from an empty directory so no developer's .env is read.
    done = subprocess.run(
        [sys.executable, "-m", "ia_sandbox"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "ia_sandbox: SANDBOX_APPROVAL_TIMEOUT is invalid: input should be a valid "
        "number, unable to parse string as a number (got 'soon')\n"
    )
