"""The phone's profile editor: validation, saving, and the partner's POST
callback (over real HTTP to the recording partner)."""

import logging
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_sandbox.db import session
from ia_sandbox.models import User
from tests.sandbox_harness import Partner, Posted, sign_in

USER_URL = "/api/public/user"
JOSE = {"name": "José Ñandú", "email": "jose+demo@example.com", "phone": ""}


def _save(client: Any, username: str, **items: str) -> Any:
    """Send the form as the page's script does, starting from jose's data."""
    return client.post(f"/app/{username}/profile", json=JOSE | items)


def _read(client: Any, token: str) -> dict[str, Any]:
    answer = client.get(USER_URL, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()["data"]
    return data


def _stored(client: TestClient, username: str) -> tuple[str, str, str | None]:
    with session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        user = db.exec(select(User).where(User.username == username)).one()
        return user.name, user.email, user.phone


def test_saving_tells_the_partner_the_user_id_and_the_token_reads_the_new_data(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "jose")

    response = _save(client, "jose", phone="+34 611 222 333")

    assert response.status_code == 200
    assert response.json() == {
        "status": "saved",
        "message": "Saved. IA Portal (demo) was told.",
        "notified": "told",
        "user": {
            "username": "jose",
            "name": "José Ñandú",
            "email": "jose+demo@example.com",
            "phone": "+34 611 222 333",
        },
    }
    assert partner.posts == [
        Posted("/ia/callback", "application/x-www-form-urlencoded", "user_id=2")
    ]
    assert _read(client, token)["phone"] == "+34 611 222 333"


def test_the_partner_rereading_during_the_post_sees_the_saved_data(
    live_sandbox: str, partner: Partner
) -> None:
    with httpx.Client(base_url=live_sandbox, trust_env=False) as sandbox:
        token = sign_in(sandbox, partner, "jose")
        partner.during_post = lambda _body: _read(sandbox, token)["name"]

        _save(sandbox, "jose", name="José N.")

    assert partner.seen == ["José N."]


def test_items_are_trimmed_and_an_empty_phone_is_dropped(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "ada")

    response = _save(client, "ada", name="  Ada King ", email=" ada@example.org ")

    assert response.json()["user"] == {
        "username": "ada",
        "name": "Ada King",
        "email": "ada@example.org",
        "phone": "",
    }
    assert _read(client, token) == {
        "id": 1,
        "username": "ada",
        "email": "ada@example.org",
        "name": "Ada King",
    }


@pytest.mark.parametrize(
    "email", ["", "jose", "jose@", "@example.com", "jose@example", "a b@example.com"]
)
def test_an_invalid_email_is_refused_and_nothing_changes(
    client: TestClient, partner: Partner, email: str
) -> None:
    token = sign_in(client, partner, "jose")

    response = _save(client, "jose", email=email, phone="+1 555 0100")

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_profile",
        "error_description": "Enter an email address like name@example.com.",
        "field": "email",
    }
    assert _stored(client, "jose") == (
        "José Ñandú",
        "jose+demo@example.com",
        "+34 600 000 123",
    )
    assert _read(client, token)["phone"] == "+34 600 000 123"
    assert partner.posts == []


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@Example.com"])
def test_an_email_of_another_account_is_refused(
    client: TestClient, partner: Partner, email: str
) -> None:
    sign_in(client, partner, "jose")

    response = _save(client, "jose", email=email)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_profile",
        "error_description": "That email is used by another account.",
        "field": "email",
    }
    assert _stored(client, "jose")[1] == "jose+demo@example.com"
    assert partner.posts == []


def test_changing_only_the_case_of_ones_own_email_is_allowed(
    client: TestClient,
) -> None:
    response = _save(client, "jose", email="Jose+Demo@example.com")

    assert response.json()["status"] == "saved"
    assert _stored(client, "jose")[1] == "Jose+Demo@example.com"


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter your name."),
        ({"name": "x" * 101}, "name", "Name is too long (at most 100)."),
        ({"name": "Jo\u0000sé"}, "name", "Name contains a control character."),
        ({"name": "José\nÑandú"}, "name", "Name contains a control character."),
        ({"name": "Jo\u2028sé"}, "name", "Name contains a control character."),
        ({"email": "a" * 250 + "@x.io"}, "email", "Email is too long (at most 254)."),
        (
            {"phone": "call me"},
            "phone",
            "Enter a phone number of digits, spaces and + ( ) - . or leave it empty.",
        ),
        (
            {"phone": "+"},
            "phone",
            "Enter a phone number of digits, spaces and + ( ) - . or leave it empty.",
        ),
        ({"phone": "1" * 33}, "phone", "Phone is too long (at most 32)."),
    ],
)
def test_other_invalid_items_are_refused_and_named(
    client: TestClient, items: dict[str, str], field: str, message: str
) -> None:
    response = _save(client, "jose", **items)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_profile",
        "error_description": message,
        "field": field,
    }
    assert _stored(client, "jose")[0] == "José Ñandú"


def test_a_non_text_item_is_refused(client: TestClient) -> None:
    response = client.post("/app/jose/profile", json=JOSE | {"phone": 34600})

    assert response.status_code == 400
    assert response.json()["error_description"] == "Phone must be text."


def test_only_json_is_accepted(client: TestClient) -> None:
    response = client.post("/app/jose/profile", data=JOSE)

    assert response.status_code == 415
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Send the profile as JSON.",
    }


def test_saving_without_a_sign_in_calls_nobody(
    client: TestClient, partner: Partner
) -> None:
    items = {"name": "Grace Hopper", "email": "grace@example.com"}

    response = _save(client, "grace", **items, phone="+1 555 0100")

    assert response.json()["message"] == "Saved."
    assert response.json()["notified"] == "not_connected"
    assert partner.posts == []


def test_an_unchanged_profile_calls_nobody(
    client: TestClient, partner: Partner
) -> None:
    sign_in(client, partner, "jose")

    response = _save(client, "jose", phone="+34 600 000 123")

    assert response.json()["status"] == "unchanged"
    assert response.json()["message"] == "Nothing to save: your profile is unchanged."
    assert partner.posts == []


def test_a_failed_post_callback_keeps_the_save_and_says_why(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "jose")
    partner.status = 500

    response = _save(client, "jose", phone="+34 699 999 999")

    assert response.status_code == 200
    assert response.json()["notified"] == "failed"
    assert response.json()["message"] == (
        "Saved, but IA Portal (demo) could not be told: the partner answered HTTP 500"
    )
    assert [post.body for post in partner.posts] == ["user_id=2"]
    assert _read(client, token)["phone"] == "+34 699 999 999"


def test_an_unreachable_partner_keeps_the_save(
    client: TestClient, partner: Partner
) -> None:
    token = sign_in(client, partner, "jose")
    # The partner goes away after signing jose in: nothing listens on port 9.
    app: Any = client.app
    gone = "http://127.0.0.1:9/ia/callback"
    app.state.settings = app.state.settings.model_copy(
        update={"partner_callback_url": gone}
    )

    response = _save(client, "jose", phone="+34 622 000 000")

    assert response.json()["message"].startswith(
        "Saved, but IA Portal (demo) could not be told: ConnectError"
    )
    assert _read(client, token)["phone"] == "+34 622 000 000"


def test_the_phone_page_has_the_profile_form(client: TestClient) -> None:
    page = client.get("/app/grace").text

    assert '<h2 id="profile-title">Your profile</h2>' in page
    assert '<label for="profile-name">Name</label>' in page
    assert '<label for="profile-email">Email</label>' in page
    assert '<label for="profile-phone">Phone</label>' in page
    assert 'value="grace@example.com"' in page
    assert 'id="save">Save</button>' in page


def test_profile_of_an_unknown_user_is_a_json_404(client: TestClient) -> None:
    response = _save(client, "nobody")

    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "error_description": "No such account.",
    }


def test_each_step_is_logged_without_the_items_values(
    client: TestClient, partner: Partner, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(client, partner, "jose")
    caplog.set_level(logging.INFO, logger="ia_sandbox")

    _save(client, "jose", phone="+34 677 000 000")

    steps = [r.getMessage() for r in caplog.records if r.name.startswith("ia_sandbox")]
    assert steps == [
        "profile of jose saved (phone changed)",
        "telling IA Portal (demo) that user 2 changed",
        "IA Portal (demo) was told of user 2",
    ]
    assert "677" not in caplog.text
