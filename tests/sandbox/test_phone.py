"""The simulated phone app: pages, answers, and the partner callback."""

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.testclient import TestClient

from ia_sandbox.db import session
from ia_sandbox.models import User
from tests.sandbox_harness import (
    Partner,
    approve,
    ask,
    code_sent_to,
    only_pending_id,
    token_form,
)


def test_home_links_each_demo_user(client: TestClient) -> None:
    page = client.get("/app").text

    for username in ("ada", "jose", "grace"):
        assert f'href="/app/{username}"' in page
    assert "José Ñandú" in page


def test_links_encode_unusual_usernames(client: TestClient) -> None:
    with session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        db.add(User(username="zoë b+c", email="zoe@example.com", name="Zoë"))
        db.commit()

    home = client.get("/app").text
    page = client.get("/app/zo%C3%AB%20b%2Bc")

    assert 'href="/app/zo%C3%AB%20b%2Bc"' in home
    assert page.status_code == 200
    assert '"requestsUrl": "/app/zo%C3%AB%20b%2Bc/requests"' in page.text


def test_user_page_is_a_phone_that_nobody_may_frame(client: TestClient) -> None:
    response = client.get("/app/ada")

    assert response.status_code == 200
    assert "<h1>Ada Lovelace</h1>" in response.text
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_unknown_user_page_is_404(client: TestClient) -> None:
    response = client.get("/app/<nobody>")

    assert response.status_code == 404
    assert "There is no Instant Access account “&lt;nobody&gt;”." in response.text


def test_pending_request_card(client: TestClient) -> None:
    ask(client, "ada")

    [card] = client.get("/app/ada/requests").json()["requests"]

    assert card["partner"] == "IA Portal (demo)"
    assert card["title"] == "Sign in to IA Portal (demo)"
    assert card["shares"] == ["username", "email", "name", "phone"]
    assert 29 < card["seconds_left"] <= 30
    assert card["seconds_given"] == 30


def test_approve_calls_back_the_partner_with_code_and_encoded_state(
    client: TestClient, partner: Partner
) -> None:
    answer = ask(client, "jose+demo@example.com")

    response = approve(client, "jose")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    [path] = partner.paths
    target = urlsplit(path)
    query = parse_qs(target.query)
    assert target.path == "/ia/callback"
    assert query["state"] == ["2@@jose@@jose+demo@example.com"]
    assert "state=2%40%40jose%40%40jose%2Bdemo%40example.com" in target.query
    assert len(query["code"][0]) == 43
    assert client.get(answer["statusUrl"]).json() == {
        "status": "approved",
        "usernameOrEmail": "jose+demo@example.com",
    }


def test_deny_tells_the_frame_denied_and_calls_nobody(
    client: TestClient, partner: Partner
) -> None:
    answer = ask(client, "ada")

    response = client.post(f"/app/ada/requests/{only_pending_id(client, 'ada')}/deny")

    assert response.status_code == 200
    assert response.json()["status"] == "denied"
    assert client.get(answer["statusUrl"]).json() == {
        "status": "denied",
        "message": "The request was denied in the Instant Access app.",
    }
    assert partner.paths == []


def test_partner_answering_500_fails_the_request(
    client: TestClient, partner: Partner
) -> None:
    partner.status = 500
    answer = ask(client, "ada")

    response = approve(client, "ada")

    message = "The partner site could not complete the sign-in. Please try again."
    assert response.json() == {"id": 1, "status": "failed", "message": message}
    assert client.get(answer["statusUrl"]).json() == {
        "status": "failed",
        "message": message,
    }


def test_code_of_a_failed_callback_cannot_be_exchanged(
    client: TestClient, partner: Partner
) -> None:
    partner.status = 503
    ask(client, "ada")
    approve(client, "ada")

    code = code_sent_to(partner)
    response = client.post("/api/oauth/token", data=token_form(partner, code))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code was revoked.",
    }


def test_unreachable_partner_fails_the_request(make_client: Any) -> None:
    client = make_client(partner_callback_url="http://127.0.0.1:9/ia/callback")
    answer = ask(client, "grace", payment="3")

    approve(client, "grace")

    assert client.get(answer["statusUrl"]).json() == {
        "status": "failed",
        "message": "The partner site could not complete the payment. Please try again.",
    }


def test_slow_partner_fails_the_request_after_the_callback_timeout(
    make_client: Any, partner: Partner
) -> None:
    client = make_client(callback_timeout=0.5)
    partner.during = lambda _path: time.sleep(1.5)
    answer = ask(client, "ada")

    started = time.monotonic()
    response = approve(client, "ada")
    waited = time.monotonic() - started

    assert response.json()["status"] == "failed"
    assert 0.5 <= waited < 1.4
    assert client.get(answer["statusUrl"]).json()["status"] == "failed"


def test_answering_twice_is_a_409_and_changes_nothing(client: TestClient) -> None:
    answer = ask(client, "ada")
    request_id = only_pending_id(client, "ada")
    client.post(f"/app/ada/requests/{request_id}/approve")

    again = client.post(f"/app/ada/requests/{request_id}/approve")
    deny = client.post(f"/app/ada/requests/{request_id}/deny")

    assert again.status_code == deny.status_code == 409
    assert again.json() == {
        "error": "conflict",
        "error_description": "This request was already approved.",
    }
    assert client.get(answer["statusUrl"]).json()["status"] == "approved"


def test_expired_request_cannot_be_approved(make_client: Any, partner: Partner) -> None:
    client = make_client(approval_timeout=0.3)
    ask(client, "ada")
    request_id = only_pending_id(client, "ada")

    time.sleep(0.5)
    response = client.post(f"/app/ada/requests/{request_id}/approve")

    assert response.status_code == 409
    assert response.json()["error_description"] == "This request has expired."
    assert partner.paths == []


def test_request_of_another_user_is_404(client: TestClient) -> None:
    ask(client, "ada")
    ada_request = only_pending_id(client, "ada")

    response = client.post(f"/app/grace/requests/{ada_request}/approve")

    assert response.status_code == 404
    assert only_pending_id(client, "ada") == ada_request
