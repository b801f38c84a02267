"""IA's access tokens after a real sign-in: sealed on disk, usable in the portal.

The sandbox approves a sign-in and calls the recording partner; the portal's
callback route then trades the code with the live sandbox and stores the user.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal.config import get_settings
from ia_portal.db import get_engine, open_session
from ia_portal.models import IAUser
from ia_portal.token_vault import reseal_all
from tests.portal.conftest import TEST_TOKEN_KEY, sqlite_only
from tests.sandbox_harness import Partner, approve, ask

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
OTHER_KEY = "EHN82NtJ2nf5XLVpmX79jRD1R1TkNToDlGsRDMyMjOA="


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    return make_portal(live_sandbox)


def _sign_in(portal: TestClient, sandbox: httpx.Client, partner: Partner, user: str):
    ask(sandbox, user)
    assert approve(sandbox, user).status_code == 200
    assert portal.get(partner.paths[-1]).status_code == 200


def _stored_user() -> IAUser:
    with open_session() as session:
        return session.exec(select(IAUser)).one()


def _database_file() -> Path:
    return Path(get_engine().url.database or "")


def _bytes_on_disk(database: Path) -> bytes:
    """The SQLite file and its write-ahead log: a new row may sit in either."""
    return b"".join(
        path.read_bytes() for path in database.parent.glob(f"{database.name}*")
    )


def _use_keys(monkeypatch: pytest.MonkeyPatch, keys: str) -> None:
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", keys)
    get_settings.cache_clear()


@sqlite_only
def test_no_access_token_is_in_the_database_files_after_a_sign_in(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "jose")
    token = _stored_user().access_token
    assert token is not None

    # The token the portal holds is the one IA issued: IA answers with it.
    fetched = sandbox.get(
        "/api/public/user", headers={"Authorization": f"Bearer {token}"}
    )
    assert fetched.json()["success"] is True

    database = _database_file()
    on_disk = _bytes_on_disk(database)
    with sqlite3.connect(database) as connection:
        [(sealed,)] = connection.execute("SELECT access_token FROM ia_user")
    assert sealed.encode() in on_disk  # the files read are the ones written
    assert token.encode() not in on_disk
    assert token not in sealed


def test_a_token_sealed_with_a_dropped_key_counts_as_revoked(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sign_in(portal, sandbox, partner, "ada")

    _use_keys(monkeypatch, OTHER_KEY)  # the sealing key was dropped, not rotated

    response = portal.post("/ia/callback", content="user_id=1", headers=FORM)
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "result": "revoked"},
    )
    assert _stored_user().access_token is None


def test_a_new_sign_in_after_a_dropped_key_restores_access(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sign_in(portal, sandbox, partner, "ada")
    _use_keys(monkeypatch, OTHER_KEY)

    _sign_in(portal, sandbox, partner, "ada")

    assert _stored_user().access_token is not None
    response = portal.post("/ia/callback", content="user_id=1", headers=FORM)
    assert response.json() == {"status": "ok", "result": "unchanged"}


def test_after_rotation_the_old_key_is_not_needed(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sign_in(portal, sandbox, partner, "grace")
    _use_keys(monkeypatch, f"{OTHER_KEY},{TEST_TOKEN_KEY}")
    with open_session() as session:
        assert reseal_all(session) == 1

    _use_keys(monkeypatch, OTHER_KEY)

    response = portal.post("/ia/callback", content="user_id=3", headers=FORM)
    assert response.json() == {"status": "ok", "result": "unchanged"}
