"""Access tokens sealed at rest, and key rotation (ia_portal.token_vault)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import Session, SQLModel, select

from ia_portal.config import get_settings
from ia_portal.models import IAUser
from ia_portal.protocol import IAUserData
from ia_portal.token_vault import UnopenableToken, open_sealed, reseal_all, seal
from ia_portal.users import store_signed_in_user
from tests.portal.conftest import sqlite_only

ROOT = Path(__file__).resolve().parents[2]
KEY_A = "BXI5IG3hh6pFOcFNkjyyJPG4Bd7s6hVfxrEw4UUF-Tc="
KEY_B = "EHN82NtJ2nf5XLVpmX79jRD1R1TkNToDlGsRDMyMjOA="
KEY_C = "H7uBNW-UtxTFJJxsU5vLF4XZ7IlnLX_s1sg3R9UNOP0="
ADA = IAUserData(
    user_id=1,
    username="ada",
    email="ada@example.com",
    name="Ada Lovelace",
    phone=None,
    items={"username": "ada", "email": "ada@example.com", "name": "Ada Lovelace"},
)


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch):
    """Switch `TOKEN_ENCRYPTION_KEYS` as a restarted portal would see it."""

    def use(keys: str) -> None:
        monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", keys)
        get_settings.cache_clear()

    return use


def _stored_values(session: Session) -> list[str]:
    """The access_token column as the database holds it."""
    connection = session.connection().connection.dbapi_connection
    assert connection is not None
    return [row[0] for row in connection.execute("SELECT access_token FROM ia_user")]


def _read_token(session: Session) -> str | None:
    session.expire_all()
    return session.exec(select(IAUser)).one().access_token


def test_a_sealed_token_opens_to_itself_and_does_not_contain_it(use_keys) -> None:
    use_keys(KEY_A)
    sealed = seal("token-1")
    assert "token-1" not in sealed
    assert sealed != seal("token-1")  # each sealing is fresh
    assert open_sealed(sealed) == "token-1"


def test_the_database_holds_the_sealed_token_and_python_sees_it_clear(
    db: Session, use_keys
) -> None:
    use_keys(KEY_A)
    store_signed_in_user(db, ADA, "token-1")

    [value] = _stored_values(db)
    assert "token-1" not in value
    assert Fernet(KEY_A).decrypt(value.encode()) == b"token-1"
    assert _read_token(db) == "token-1"


@pytest.mark.parametrize("value", ["", "token-1", "gAAAAAB-not-fernet", "ü"])
def test_a_value_that_is_not_sealed_does_not_open(use_keys, value: str) -> None:
    use_keys(KEY_A)
    with pytest.raises(UnopenableToken):
        open_sealed(value)


def test_a_value_sealed_with_an_unknown_key_does_not_open(use_keys) -> None:
    use_keys(KEY_A)
    sealed = seal("token-1")
    use_keys(f"{KEY_B},{KEY_C}")
    with pytest.raises(UnopenableToken) as caught:
        open_sealed(sealed)
    assert str(caught.value) == "no key of TOKEN_ENCRYPTION_KEYS opens it"


def test_a_new_first_key_seals_and_the_old_one_still_opens(use_keys) -> None:
    use_keys(KEY_A)
    old = seal("token-1")
    use_keys(f"{KEY_B},{KEY_A}")
    new = seal("token-2")

    assert (open_sealed(old), open_sealed(new)) == ("token-1", "token-2")
    assert Fernet(KEY_B).decrypt(new.encode()) == b"token-2"


def test_rotation_reseals_every_token_with_the_new_key(db: Session, use_keys) -> None:
    use_keys(KEY_A)
    store_signed_in_user(db, ADA, "token-1")
    store_signed_in_user(db, dataclasses.replace(ADA, user_id=2), "token-2")

    use_keys(f"{KEY_B},{KEY_A}")
    assert reseal_all(db) == 2

    use_keys(KEY_B)  # the old key is gone
    tokens = [user.access_token for user in db.exec(select(IAUser)).all()]
    assert sorted(tokens) == ["token-1", "token-2"]


def test_a_stored_token_no_key_opens_reads_as_revoked(db: Session, use_keys) -> None:
    use_keys(KEY_A)
    store_signed_in_user(db, ADA, "token-1")

    use_keys(KEY_B)

    assert _read_token(db) is None
    assert reseal_all(db) == 0  # left as it is: nothing can open it
    use_keys(KEY_A)
    assert _read_token(db) == "token-1"


def test_a_new_sign_in_replaces_a_token_no_key_opens(db: Session, use_keys) -> None:
    use_keys(KEY_A)
    store_signed_in_user(db, ADA, "token-1")
    use_keys(KEY_B)

    store_signed_in_user(db, ADA, "token-2")

    assert _read_token(db) == "token-2"
    assert len(db.exec(select(IAUser)).all()) == 1


@sqlite_only
def test_the_rotate_command_reseals_and_says_how_many(tmp_path: Path, use_keys) -> None:
    database = tmp_path / "portal.db"
    use_keys(KEY_A)
    engine_url = f"sqlite:///{database}"
    engine = sa.create_engine(engine_url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        store_signed_in_user(session, ADA, "token-1")
    engine.dispose()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": engine_url,
        "TOKEN_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}",
    }

    done = subprocess.run(
        [sys.executable, "-m", "ia_portal.token_vault", "rotate"],
        cwd=tmp_path,  # no .env here: only the environment above
        env=env,
        capture_output=True,
        text=True,
    )

    assert (done.returncode, done.stdout) == (
        0,
        "re-sealed 1 access tokens with the first key\n",
    )
    with sqlite3.connect(database) as connection:
        [(value,)] = connection.execute("SELECT access_token FROM ia_user")
    assert Fernet(KEY_B).decrypt(value.encode()) == b"token-1"


def test_the_rotate_command_refuses_a_bad_key_without_showing_it(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOKEN_ENCRYPTION_KEYS": "x,y"}
    done = subprocess.run(
        [sys.executable, "-m", "ia_portal.token_vault", "rotate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "ia_portal: Setting TOKEN_ENCRYPTION_KEYS is invalid: entry 1 of 2 is not "
        "a Fernet key (32 url-safe base64-encoded bytes)\n",
    )
