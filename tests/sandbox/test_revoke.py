"""Revoking a partner's access from the phone: tokens die, the partner is told."""

from typing import Any

from starlette.testclient import TestClient

from tests.sandbox_harness import (
    Partner,
    Posted,
    approve,
    ask,
    code_sent_to,
    sign_in,
    token_form,
)

USER_URL = "/api/public/user"
INVALID_TOKEN = {
    "success": False,
    "message": "The access token is missing, unknown or revoked.",
    "error": "invalid_token",
}


def _read(client: Any, token: str) -> Any:
    return client.get(USER_URL, headers={"Authorization": f"Bearer {token}"})


def _connected(client: Any, username: str) -> bool:
    connected: bool = client.get(f"/app/{username}/requests").json()["connected"]
    return connected


def test_revoking_tells_the_partner_and_the_token_stops_working(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "jose")

    response = client.post("/app/jose/revoke")

    assert response.status_code == 200
    assert response.json() == {
        "status": "revoked",
        "message": "Access revoked. IA Portal (demo) was told.",
        "notified": "told",
    }
    assert partner.posts == [
        Posted("/ia/callback", "application/x-www-form-urlencoded", "user_id=2")
    ]
    refused = _read(client, token)
    assert refused.status_code == 401
    assert refused.json() == INVALID_TOKEN
    assert _connected(client, "jose") is False


def test_every_token_of_the_user_is_revoked(
    client: TestClient, partner: Partner
) -> None:
    first = sign_in(client, partner, "ada")
    second = sign_in(client, partner, "ada")

    client.post("/app/ada/revoke")

    assert [_read(client, t).status_code for t in (first, second)] == [401, 401]


def test_other_users_keep_their_tokens(client: TestClient, partner: Partner) -> None:
    ada = sign_in(client, partner, "ada")
    sign_in(client, partner, "jose")

    client.post("/app/jose/revoke")

    assert _read(client, ada).json()["data"]["username"] == "ada"


def test_a_code_not_yet_exchanged_is_revoked_too(
    client: TestClient, partner: Partner
) -> None:
    sign_in(client, partner, "ada")
    ask(client, "ada")
    approve(client, "ada")
    pending_code = code_sent_to(partner)

    client.post("/app/ada/revoke")
    late = client.post("/api/oauth/token", data=token_form(partner, pending_code))

    assert late.status_code == 400
    assert late.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code was revoked.",
    }


def test_a_new_sign_in_after_revoking_works_again(
    client: TestClient, partner: Partner
) -> None:
    old = sign_in(client, partner, "jose")
    client.post("/app/jose/revoke")

    new = sign_in(client, partner, "jose")

    assert _read(client, new).json()["data"]["username"] == "jose"
    assert _read(client, old).status_code == 401
    assert _connected(client, "jose") is True
    assert 'id="revoke">Revoke access</button>' in client.get("/app/jose").text


def test_revoking_without_access_is_a_409_and_calls_nobody(
    client: TestClient, partner: Partner
) -> None:
    response = client.post("/app/grace/revoke")

    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "error_description": "IA Portal (demo) has no access to revoke.",
    }
    assert partner.posts == []


def test_a_failed_post_callback_still_revokes(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "ada")
    partner.status = 503

    response = client.post("/app/ada/revoke")

    assert response.json() == {
        "status": "revoked",
        "message": "Access revoked, but IA Portal (demo) could not be told: "
        "the partner answered HTTP 503",
        "notified": "failed",
    }
    assert _read(client, token).status_code == 401


def test_after_revoking_a_profile_change_calls_nobody(
    client: TestClient, partner: Partner
) -> None:
    sign_in(client, partner, "ada")
    client.post("/app/ada/revoke")

    saved = client.post(
        "/app/ada/profile",
        json={"name": "Ada", "email": "ada@example.com", "phone": ""},
    )

    assert saved.json()["message"] == "Saved."
    assert [post.body for post in partner.posts] == ["user_id=1"]  # the revocation


def test_the_revoke_button_names_the_partner_only_while_it_has_access(
    client: TestClient, partner: Partner
) -> None:
    before = client.get("/app/ada").text
    sign_in(client, partner, "ada")
    during = client.get("/app/ada").text

    assert '<div id="connected" hidden>' in before
    assert '<div id="connected">' in during
    assert "<p><b>IA Portal (demo)</b> can read your profile.</p>" in during
