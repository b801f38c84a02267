"""Settings: read from the environment, checked at start (ia_portal.config)."""

import pytest

from ia_portal.config import Settings, SettingsError, get_settings

KEY = "BXI5IG3hh6pFOcFNkjyyJPG4Bd7s6hVfxrEw4UUF-Tc="
REQUIRED = {
    "IA_CLIENT_ID": "demo-client",
    "IA_CLIENT_SECRET": "s3cret",
    "TOKEN_ENCRYPTION_KEYS": KEY,
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A clean environment with no .env file in the working directory."""
    monkeypatch.chdir(tmp_path)
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_missing_secret_names_the_setting(env) -> None:
    env.setenv("IA_CLIENT_ID", "demo-client")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == (
        "Setting IA_CLIENT_SECRET is missing: set it in the environment or in .env"
    )


def test_malformed_url_names_the_setting(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("IA_SERVER_URL", "localhost:8001")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == (
        "Setting IA_SERVER_URL is invalid: must be an http(s) URL, got 'localhost:8001'"
    )


def test_malformed_number_names_the_setting(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("IA_HTTP_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match=r"^Setting IA_HTTP_TIMEOUT is invalid: "):
        get_settings()


def test_secret_is_not_in_the_settings_repr(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    assert "s3cret" not in repr(get_settings())
    assert KEY not in repr(get_settings())


def test_missing_token_keys_name_the_setting(env) -> None:
    env.setenv("IA_CLIENT_ID", "demo-client")
    env.setenv("IA_CLIENT_SECRET", "s3cret")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == (
        "Setting TOKEN_ENCRYPTION_KEYS is missing: set it in the environment or in .env"
    )


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "must list at least one Fernet key"),
        (" ", "must list at least one Fernet key"),
        (
            "not-a-key",
            "entry 1 of 1 is not a Fernet key (32 url-safe base64-encoded bytes)",
        ),
        (
            f"{KEY},{KEY[:-2]}",
            "entry 2 of 2 is not a Fernet key (32 url-safe base64-encoded bytes)",
        ),
        (
            f"{KEY},,{KEY}",
            "entry 2 of 3 is not a Fernet key (32 url-safe base64-encoded bytes)",
        ),
    ],
)
def test_malformed_token_keys_name_the_setting_not_the_key(
    env, keys: str, message: str
) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("TOKEN_ENCRYPTION_KEYS", keys)
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == f"Setting TOKEN_ENCRYPTION_KEYS is invalid: {message}"
    assert KEY[:-2] not in str(caught.value)


def test_token_keys_are_listed_first_key_first(env) -> None:
    other = "H7uBNW-UtxTFJJxsU5vLF4XZ7IlnLX_s1sg3R9UNOP0="
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("TOKEN_ENCRYPTION_KEYS", f" {other} , {KEY}")
    assert get_settings().token_keys == [other, KEY]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost:8001", "http://localhost:8001"),
        ("http://LOCALHOST:8001/", "http://localhost:8001"),
        (
            "https://dashboard.instantaccess.io/some/path/",
            "https://dashboard.instantaccess.io",
        ),
        ("https://ia.example:443", "https://ia.example"),
        ("http://ia.example:80/x", "http://ia.example"),
        ("https://ia.example:8443", "https://ia.example:8443"),
    ],
)
def test_ia_origin_is_the_bare_origin(env, url: str, origin: str) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("IA_SERVER_URL", url)
    assert get_settings().ia_origin == origin


def test_without_a_redis_url_the_tabs_stay_in_process(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    assert get_settings().redis_url == ""


def test_a_redis_url_is_kept_as_given(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("REDIS_URL", " redis://127.0.0.1:6379/1 ")
    assert get_settings().redis_url == "redis://127.0.0.1:6379/1"


def test_a_redis_url_of_another_scheme_names_the_setting_not_the_url(env) -> None:
    for name, value in REQUIRED.items():
        env.setenv(name, value)
    env.setenv("REDIS_URL", "http://:hunter2@cache.example:6379")
    with pytest.raises(SettingsError) as caught:
        get_settings()
    assert str(caught.value) == (
        "Setting REDIS_URL is invalid: must start with redis://, rediss:// or unix://"
    )
    assert "hunter2" not in str(caught.value)
