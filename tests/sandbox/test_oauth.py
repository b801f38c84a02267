"""The partner's server side: code exchange and user data."""

import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ia_sandbox import grants
from ia_sandbox.db import session
from tests.sandbox_harness import Partner, approve, ask, code_sent_to, token_form

USER_URL = "/api/public/user"


def _signed_in_code(client: TestClient, partner: Partner, login: str) -> str:
    ask(client, login)
    username = login.split("@")[0].split("+")[0]
    assert approve(client, username).json()["status"] == "approved"
    return code_sent_to(partner)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_full_sign_in_chain_yields_the_user_data(
    client: TestClient, partner: Partner
) -> None:
    code = _signed_in_code(client, partner, "jose")

    exchanged = client.post("/api/oauth/token", data=token_form(partner, code))
    body = exchanged.json()
    fetched = client.get(USER_URL, headers=_bearer(body["access_token"]))

    assert exchanged.status_code == 200
    assert exchanged.headers["cache-control"] == "no-store"
    assert sorted(body) == ["access_token", "token_type"]
    assert body["token_type"] == "Bearer"
    assert len(body["access_token"]) == 43
    assert fetched.status_code == 200
    assert fetched.json() == {
        "success": True,
        "message": "User data items retrieved successfully",
        "data": {
            "id": 2,
            "username": "jose",
            "email": "jose+demo@example.com",
            "name": "José Ñandú",
            "phone": "+34 600 000 123",
        },
    }


def test_user_without_phone_has_no_phone_item(
    client: TestClient, partner: Partner
) -> None:
    code = _signed_in_code(client, partner, "grace@example.com")
    token = client.post("/api/oauth/token", data=token_form(partner, code)).json()

    fetched = client.get(USER_URL, headers=_bearer(token["access_token"]))

    assert fetched.json()["data"] == {
        "id": 3,
        "username": "grace",
        "email": "grace@example.com",
        "name": "Grace Hopper",
    }


def test_code_works_once(client: TestClient, partner: Partner) -> None:
    code = _signed_in_code(client, partner, "ada")
    first = client.post("/api/oauth/token", data=token_form(partner, code))

    second = client.post("/api/oauth/token", data=token_form(partner, code))

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code was already used.",
    }


def test_expired_code_is_refused(make_client: Any, partner: Partner) -> None:
    client = make_client(code_ttl=0.3)
    code = _signed_in_code(client, partner, "ada")

    time.sleep(0.5)
    response = client.post("/api/oauth/token", data=token_form(partner, code))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code has expired.",
    }


def test_unknown_code_is_refused(client: TestClient, partner: Partner) -> None:
    response = client.post("/api/oauth/token", data=token_form(partner, "forged"))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code is not valid for this client.",
    }


@pytest.mark.parametrize("suffix", ["/", "?x=1", "/other"])
def test_redirect_uri_must_match_exactly(
    client: TestClient, partner: Partner, suffix: str
) -> None:
    code = _signed_in_code(client, partner, "ada")
    form = token_form(partner, code, redirect_uri=partner.url + suffix)

    response = client.post("/api/oauth/token", data=form)
    retry = client.post("/api/oauth/token", data=token_form(partner, code))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "redirect_uri is not the registered callback URL.",
    }
    assert retry.status_code == 200  # a refused attempt does not burn the code


def test_grant_type_must_be_authorization_code(
    client: TestClient, partner: Partner
) -> None:
    code = _signed_in_code(client, partner, "ada")
    form = token_form(partner, code, grant_type="client_credentials")

    response = client.post("/api/oauth/token", data=form)

    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": "grant_type must be authorization_code.",
    }


@pytest.mark.parametrize(
    "overrides", [{"client_secret": "wrong"}, {"client_id": "someone-else"}]
)
def test_unknown_client_is_refused(
    client: TestClient, partner: Partner, overrides: dict[str, str]
) -> None:
    code = _signed_in_code(client, partner, "ada")

    response = client.post(
        "/api/oauth/token", data=token_form(partner, code, **overrides)
    )

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed.",
    }


def test_missing_fields_are_named(client: TestClient, partner: Partner) -> None:
    form = token_form(partner, "some-code")
    del form["code"], form["grant_type"]

    response = client.post("/api/oauth/token", data=form)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing code, grant_type.",
    }


def test_json_body_is_not_a_form(client: TestClient, partner: Partner) -> None:
    response = client.post("/api/oauth/token", json=token_form(partner, "c"))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer unknown"}, {"Authorization": "Basic x"}]
)
def test_user_endpoint_needs_a_known_bearer_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(USER_URL, headers=headers)

    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "message": "The access token is missing, unknown or revoked.",
        "error": "invalid_token",
    }


def test_concurrent_exchanges_of_one_code_have_one_winner(
    client: TestClient, partner: Partner
) -> None:
    code = _signed_in_code(client, partner, "ada")
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def exchange() -> None:
        with session(engine) as db:
            start.wait()
            try:
                grants.redeem_code(db, code, "test-client", partner.url)
                outcomes.append("token")
            except grants.InvalidGrant as exc:
                outcomes.append(str(exc))

    threads = [threading.Thread(target=exchange) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [
        "The authorization code was already used.",
        "The authorization code was already used.",
        "The authorization code was already used.",
        "token",
    ]


def test_partner_can_exchange_during_the_callback_while_the_frame_waits(
    live_sandbox: str, partner: Partner
) -> None:
    # The sandbox runs for real here: the partner's callback calls back into
    # it while the approval is still in flight.
    sandbox = httpx.Client(base_url=live_sandbox, trust_env=False)
    answer = ask(sandbox, "ada")

    def exchange_and_peek(path: str) -> tuple[int, str]:
        code = httpx.URL(path).params["code"]
        form = token_form(partner, code)
        token = httpx.post(
            f"{live_sandbox}/api/oauth/token", data=form, trust_env=False
        )
        peek = httpx.get(live_sandbox + answer["statusUrl"], trust_env=False)
        status = peek.json()["status"]
        return token.status_code, status

    partner.during = exchange_and_peek
    approved = approve(sandbox, "ada")

    assert partner.seen == [(200, "pending")]
    assert approved.json()["status"] == "approved"
    assert sandbox.get(answer["statusUrl"]).json()["status"] == "approved"
