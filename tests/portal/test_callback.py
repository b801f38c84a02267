"""`GET /ia/callback` against the real sandbox over HTTP: trade, fetch, store.

The sandbox calls a recording partner endpoint; each test then hands the
portal's callback route exactly what the sandbox sent (or a tampered copy),
and the portal trades the code with the live sandbox over real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal import ia_client
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.models import IACallback, IAUser
from tests.portal.aio import run_async
from tests.sandbox_harness import CLIENT_SECRET, Partner, approve, ask


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    """The portal's routes, configured for the live sandbox, on a fresh database."""
    return make_portal(live_sandbox)


def _callback_for(
    sandbox: httpx.Client, partner: Partner, login: str, user: str
) -> str:
    """Approve `login` on `user`'s phone; return the callback path IA sent."""
    ask(sandbox, login)
    assert approve(sandbox, user).status_code == 200
    return partner.paths[-1]


def _stored() -> tuple[list[IAUser], list[IACallback]]:
    with open_session() as session:
        users = list(session.exec(select(IAUser)).all())
        callbacks = list(session.exec(select(IACallback)).all())
    return users, callbacks


def test_callback_stores_the_user_ia_vouched_for(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
) -> None:
    path = _callback_for(sandbox, partner, "jose+demo@example.com", "jose")

    response = portal.get(path)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    users, callbacks = _stored()
    assert [(u.ia_user_id, u.username, u.email, u.name, u.phone) for u in users] == [
        (2, "jose", "jose+demo@example.com", "José Ñandú", "+34 600 000 123")
    ]
    assert users[0].access_token
    assert [c.ia_user_id for c in callbacks] == [2]


def test_a_second_sign_in_updates_the_same_row(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
) -> None:
    for _ in range(2):
        path = _callback_for(sandbox, partner, "ada", "ada")
        assert portal.get(path).status_code == 200

    users, callbacks = _stored()
    assert [u.username for u in users] == ["ada"]
    assert len(callbacks) == 2


def test_a_code_used_twice_is_refused_and_the_first_stands(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
) -> None:
    path = _callback_for(sandbox, partner, "grace", "grace")
    assert portal.get(path).status_code == 200

    again = portal.get(path)

    assert again.status_code == 400
    assert again.json() == {
        "status": "error",
        "error": "IA refused the code exchange (invalid_grant, HTTP 400)",
    }
    users, callbacks = _stored()
    assert ([u.username for u in users], len(callbacks)) == (["grace"], 1)


def test_a_code_ia_never_issued_is_refused(portal: TestClient) -> None:
    response = portal.get(
        "/ia/callback", params={"code": "made-up", "state": "1@@ada@@ada@example.com"}
    )
    assert response.status_code == 400
    assert "invalid_grant" in response.json()["error"]
    assert _stored() == ([], [])


def test_a_state_naming_another_user_is_refused(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
) -> None:
    path = _callback_for(sandbox, partner, "jose", "jose")
    code = httpx.URL(path).params["code"]

    response = portal.get(
        "/ia/callback", params={"code": code, "state": "1@@ada@@ada@example.com"}
    )

    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": "state does not match the user IA returned"},
    )
    assert _stored() == ([], [])


def test_a_raw_plus_in_the_state_does_not_change_the_stored_email(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
) -> None:
    path = _callback_for(sandbox, partner, "jose", "jose")
    assert "%2B" in path
    careless = path.replace("%2B", "+")  # a `+` that a decoder turns into a space

    assert portal.get(careless).status_code == 200
    users, _ = _stored()
    assert [u.email for u in users] == ["jose+demo@example.com"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "code=abc",
        "state=1@@ada@@ada@example.com",
        "code=&state=1@@ada@@ada@example.com",
        "code=a&code=b&state=1@@ada@@ada@example.com",
        "code=a&state=1@@ada@@x&state=2@@bob@@y",
    ],
)
def test_missing_empty_or_repeated_parameters_are_refused(
    portal: TestClient, query: str
) -> None:
    response = portal.get(f"/ia/callback?{query}")
    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": "code and state are each required once"},
    )
    assert _stored() == ([], [])


def test_a_malformed_state_is_refused_before_calling_ia(portal: TestClient) -> None:
    response = portal.get("/ia/callback", params={"code": "abc", "state": "ada"})
    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": "state is not userid@@username@@email"},
    )
    assert _stored() == ([], [])


def test_ia_unreachable_is_a_clear_502_and_stores_nothing(
    portal: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IA_SERVER_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()

    response = portal.get(
        "/ia/callback", params={"code": "abc", "state": "1@@ada@@ada@example.com"}
    )

    assert response.status_code == 502
    assert response.json() == {
        "status": "error",
        "error": "IA could not be reached for the code exchange (ConnectError)",
    }
    assert CLIENT_SECRET not in response.text
    assert _stored() == ([], [])


def test_a_refused_token_cannot_fetch_the_user(portal: TestClient) -> None:
    with pytest.raises(ia_client.IARefused) as refused:
        run_async(ia_client.fetch_user(get_settings(), "not-a-token"))
    assert (str(refused.value), refused.value.status_code) == (
        "IA refused the user fetch (invalid_token, HTTP 401)",
        401,
    )
