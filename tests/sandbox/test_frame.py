"""The authorization frame and the calls its script makes."""

import time

import pytest
from starlette.testclient import TestClient

from tests.sandbox_harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    FRAME_URL,
    PARTNER_ORIGIN,
    ask,
    frame_query,
    open_frame,
)

FRAME_HEADERS = {
    "content-security-policy": f"frame-ancestors {PARTNER_ORIGIN}",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
}


def _headers(response: object) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    return {name: headers.get(name) for name in FRAME_HEADERS}


def test_frame_may_be_embedded_only_by_the_partner(client: TestClient) -> None:
    response = client.get(FRAME_URL, params=frame_query())

    assert response.status_code == 200
    assert _headers(response) == FRAME_HEADERS


def test_frame_asks_for_username_or_email(client: TestClient) -> None:
    page = client.get(FRAME_URL, params=frame_query()).text

    assert "Instant Access" in page
    assert "Sign in to <b>IA Portal (demo)</b>" in page
    assert '<label for="login">Username or email</label>' in page
    assert ">Continue</button>" in page
    assert ">Cancel</button>" in page


def test_frame_hands_its_script_the_partner_origin_not_the_secret(
    client: TestClient,
) -> None:
    response = client.get(FRAME_URL, params=frame_query())
    config = open_frame(client)

    assert CLIENT_SECRET not in response.text
    assert config["partnerOrigin"] == PARTNER_ORIGIN
    assert config["requestUrl"] == "/api/partner/authorize/request"
    assert sorted(config) == ["frame", "partnerOrigin", "requestUrl"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"client_id": CLIENT_ID, "client_secret": "wrong"}, 401),
        ({"client_id": "someone-else", "client_secret": CLIENT_SECRET}, 401),
        ({"client_id": CLIENT_ID}, 400),
        ({}, 400),
    ],
)
def test_unknown_partner_gets_an_error_page_in_the_frame(
    client: TestClient, query: dict[str, str], status: int
) -> None:
    response = client.get(FRAME_URL, params=query)

    assert response.status_code == status
    assert "This site is not recognised by Instant Access." in response.text
    assert "wrong" not in response.text
    assert _headers(response) == FRAME_HEADERS
    assert 'id="login"' not in response.text


def test_payment_frame_shows_amount_currency_and_partner(client: TestClient) -> None:
    response = client.get(FRAME_URL, params=frame_query(payment="12.5"))

    assert response.status_code == 200
    assert "Pay <b>12.50 USD</b> to <b>IA Portal (demo)</b>" in response.text


@pytest.mark.parametrize("amount", ["0", "-5", "1e3", "12.345", "abc", ""])
def test_invalid_payment_gets_an_error_page_in_the_frame(
    client: TestClient, amount: str
) -> None:
    response = client.get(FRAME_URL, params=frame_query(payment=amount))

    assert response.status_code == 400
    assert "This payment cannot be made." in response.text
    assert _headers(response) == FRAME_HEADERS


def test_payment_amount_is_escaped_on_the_error_page(client: TestClient) -> None:
    response = client.get(FRAME_URL, params=frame_query(payment="<b>1</b>"))

    assert "“&lt;b&gt;1&lt;/b&gt;” is not a plain decimal amount." in response.text


def test_continue_sends_a_request_to_the_phone(client: TestClient) -> None:
    answer = ask(client, "  jose+demo@example.com ")

    assert answer["status"] == "pending"
    assert 29 < answer["seconds_left"] <= 30
    assert answer["statusUrl"] == f"/api/partner/authorize/request/{answer['request']}"
    assert answer["cancelUrl"] == answer["statusUrl"] + "/cancel"
    status = client.get(answer["statusUrl"]).json()
    assert status["status"] == "pending"
    cards = client.get("/app/jose/requests").json()["requests"]
    assert [c["title"] for c in cards] == ["Sign in to IA Portal (demo)"]


def test_unknown_user_gets_a_message_and_no_request(client: TestClient) -> None:
    config = open_frame(client)

    response = client.post(
        config["requestUrl"],
        json={"frame": config["frame"], "usernameOrEmail": " <nobody> "},
    )

    assert response.status_code == 404
    assert response.json() == {
        "error": "unknown_user",
        "error_description": "No Instant Access account matches “<nobody>”.",
    }
    for username in ("ada", "jose", "grace"):
        assert client.get(f"/app/{username}/requests").json()["requests"] == []


def test_a_forged_frame_token_creates_nothing(client: TestClient) -> None:
    response = client.post(
        "/api/partner/authorize/request",
        json={"frame": "made-up", "usernameOrEmail": "ada"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_frame"
    assert client.get("/app/ada/requests").json()["requests"] == []


@pytest.mark.parametrize(
    "body", [None, [], {"frame": "x"}, {"frame": "x", "usernameOrEmail": "  "}]
)
def test_malformed_request_creation_is_a_400(client: TestClient, body: object) -> None:
    response = client.post("/api/partner/authorize/request", json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_unanswered_request_times_out_on_the_server(make_client: object) -> None:
    client = make_client(approval_timeout=0.5)  # type: ignore[operator]
    answer = ask(client, "ada")

    time.sleep(0.7)

    assert client.get(answer["statusUrl"]).json() == {
        "status": "timeout",
        "message": "The request was not approved in time. Please try again.",
    }
    assert client.get("/app/ada/requests").json()["requests"] == []


def test_payment_request_carries_the_amount_to_the_phone(client: TestClient) -> None:
    ask(client, "grace", payment="500")

    [card] = client.get("/app/grace/requests").json()["requests"]
    assert card["title"] == "Pay 500.00 USD to IA Portal (demo)"
    assert card["shares"] == ["username", "email", "name"]


def test_cancel_withdraws_the_request_from_the_phone(client: TestClient) -> None:
    answer = ask(client, "ada")

    response = client.post(answer["cancelUrl"])

    assert response.json() == {
        "status": "cancelled",
        "message": "The request was cancelled.",
    }
    assert client.get("/app/ada/requests").json()["requests"] == []


def test_status_of_an_unknown_request_is_404(client: TestClient) -> None:
    response = client.get("/api/partner/authorize/request/nope")

    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "error_description": "No such request.",
    }
