"""The test-only shortcuts past the phone: accounts added over HTTP, and codes
issued at once that the partner API redeems like an approval's."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.sandbox_harness import Partner, token_form

USERS = "/_sandbox/users"
CODES = "/_sandbox/codes"
BENCH_USER = {"username": "bench-7", "name": "Bench Seven", "email": "b7@example.com"}


@pytest.fixture
def controlled(make_client: Any) -> TestClient:
    client: TestClient = make_client(test_controls=True)
    return client


def _user_read_with(client: TestClient, partner: Partner, code: str) -> Any:
    exchanged = client.post("/api/oauth/token", data=token_form(partner, code))
    assert exchanged.status_code == 200, exchanged.text
    token = exchanged.json()["access_token"]
    answer = client.get(
        "/api/public/user", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.json()["data"]


def test_an_added_account_signs_in_with_an_issued_code(
    controlled: TestClient, partner: Partner
) -> None:
    added = controlled.post(USERS, json=BENCH_USER | {"phone": "+1 555 0100"})
    assert added.status_code == 201
    assert added.json() == {"id": 4, "username": "bench-7"}

    issued = controlled.post(CODES, json={"username": "bench-7"})

    assert issued.status_code == 201
    assert issued.json()["state"] == "4@@bench-7@@b7@example.com"
    assert _user_read_with(controlled, partner, issued.json()["code"]) == {
        "id": 4,
        "username": "bench-7",
        "email": "b7@example.com",
        "name": "Bench Seven",
        "phone": "+1 555 0100",
    }


def test_an_issued_code_is_not_sent_to_the_partner_and_works_once(
    controlled: TestClient, partner: Partner
) -> None:
    code = controlled.post(CODES, json={"username": "ada"}).json()["code"]
    _user_read_with(controlled, partner, code)

    again = controlled.post("/api/oauth/token", data=token_form(partner, code))

    assert partner.paths == []
    assert again.status_code == 400
    assert again.json()["error_description"] == (
        "The authorization code was already used."
    )


def test_each_issued_code_is_new(controlled: TestClient) -> None:
    codes = {controlled.post(CODES, json={"username": "jose"}).json()["code"]}
    codes.add(controlled.post(CODES, json={"username": "jose"}).json()["code"])

    assert len(codes) == 2


def test_an_account_taken_by_username_or_email_is_refused(
    controlled: TestClient,
) -> None:
    assert controlled.post(USERS, json=BENCH_USER).status_code == 201

    same_name = controlled.post(USERS, json=BENCH_USER | {"email": "x@example.com"})
    same_email = controlled.post(USERS, json=BENCH_USER | {"username": "other"})

    for refused in (same_name, same_email):
        assert refused.status_code == 409
        assert refused.json()["error_description"] == (
            "That username or email is taken."
        )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {k: v for k, v in BENCH_USER.items() if k != "username"},
            "Send a username of letters, digits, . _ or -.",
        ),
        (
            BENCH_USER | {"username": "a/b"},
            "Send a username of letters, digits, . _ or -.",
        ),
        (BENCH_USER | {"username": 7}, "Send a username of letters, digits, . _ or -."),
        (BENCH_USER | {"name": ""}, "Enter your name."),
        (
            BENCH_USER | {"email": "not-an-address"},
            "Enter an email address like name@example.com.",
        ),
        (
            BENCH_USER | {"phone": "call me"},
            "Enter a phone number of digits, spaces and + ( ) - . or leave it empty.",
        ),
    ],
    ids=["no username", "slash", "number", "empty name", "bad email", "bad phone"],
)
def test_a_malformed_account_is_refused_with_the_item_named(
    controlled: TestClient, body: dict[str, Any], error: str
) -> None:
    refused = controlled.post(USERS, json=body)

    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_request", "error_description": error}
    assert controlled.post(CODES, json={"username": "bench-7"}).status_code == 404


def test_a_code_for_an_unknown_or_unnamed_account_is_refused(
    controlled: TestClient,
) -> None:
    unknown = controlled.post(CODES, json={"username": "nobody"})
    unnamed = controlled.post(CODES, json={})
    not_json = controlled.post(CODES, content=b"username=ada")

    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert unnamed.status_code == 400
    assert unnamed.json()["error_description"] == "Send the account's username."
    assert not_json.status_code == 400
    assert not_json.json()["error_description"] == "Send a JSON object."


def test_without_test_controls_there_are_no_shortcuts(client: TestClient) -> None:
    for path, body in ((USERS, BENCH_USER), (CODES, {"username": "ada"})):
        refused = client.post(path, json=body)

        assert (refused.status_code, refused.json()["error"]) == (404, "not_found")
