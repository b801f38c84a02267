"""Fault injection on the partner API: each fault's exact answer, what it
leaves undone, and the test-only control route."""

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from starlette.testclient import TestClient

from tests.sandbox_harness import Partner, approve, ask, code_sent_to, token_form

USER_URL = "/api/public/user"
TOKEN_URL = "/api/oauth/token"
CONTROL = "/_sandbox/faults"
ERROR_PAGE = "<html><body><h1>Internal Server Error</h1></body></html>"
MALFORMED = '{"success": true, "data": [ "phone": "+1", ]}'


@pytest.fixture
def faulty(make_client: Any) -> TestClient:
    """A sandbox with the test controls on and no fault yet."""
    client: TestClient = make_client(test_controls=True)
    return client


def _fault(client: Any, endpoint: str, fault: str) -> None:
    response = client.post(CONTROL, json={"endpoint": endpoint, "fault": fault})
    assert response.status_code == 200, response.text


def _code(client: Any, partner: Partner, username: str = "jose") -> str:
    ask(client, username)
    assert approve(client, username).json()["status"] == "approved"
    return code_sent_to(partner)


def _token(client: Any, partner: Partner, username: str = "jose") -> str:
    answer = client.post(TOKEN_URL, data=token_form(partner, _code(client, partner)))
    token: str = answer.json()["access_token"]
    return token


def _read(client: Any, token: str) -> Any:
    return client.get(USER_URL, headers={"Authorization": f"Bearer {token}"})


# The token endpoint.


def test_token_500_is_an_html_page_and_leaves_the_code_usable(
    faulty: TestClient, partner: Partner
) -> None:
    code = _code(faulty, partner)
    _fault(faulty, "token", "500")

    failed = faulty.post(TOKEN_URL, data=token_form(partner, code))
    faulty.delete(CONTROL)
    retried = faulty.post(TOKEN_URL, data=token_form(partner, code))

    assert failed.status_code == 500
    assert failed.headers["content-type"] == "text/html; charset=utf-8"
    assert failed.text == ERROR_PAGE
    assert retried.status_code == 200
    assert len(retried.json()["access_token"]) == 43


def test_token_malformed_is_not_json_and_leaves_the_code_usable(
    faulty: TestClient, partner: Partner
) -> None:
    code = _code(faulty, partner)
    _fault(faulty, "token", "malformed")

    failed = faulty.post(TOKEN_URL, data=token_form(partner, code))
    faulty.delete(CONTROL)
    retried = faulty.post(TOKEN_URL, data=token_form(partner, code))

    assert failed.status_code == 200
    assert failed.headers["content-type"] == "application/json"
    assert failed.text == MALFORMED
    with pytest.raises(json.JSONDecodeError):
        json.loads(failed.text)
    assert retried.status_code == 200


def test_token_success_false_has_no_access_token(
    faulty: TestClient, partner: Partner
) -> None:
    code = _code(faulty, partner)
    _fault(faulty, "token", "success_false")

    failed = faulty.post(TOKEN_URL, data=token_form(partner, code))

    assert failed.status_code == 200
    assert failed.headers["content-type"] == "application/json"
    assert failed.json() == {
        "success": False,
        "message": "The access token could not be issued",
    }


def test_token_form_is_a_form_encoded_working_token(
    faulty: TestClient, partner: Partner
) -> None:
    code = _code(faulty, partner)
    _fault(faulty, "token", "form")

    answer = faulty.post(TOKEN_URL, data=token_form(partner, code))
    fields = parse_qs(answer.text, strict_parsing=True)
    again = faulty.post(TOKEN_URL, data=token_form(partner, code))

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sorted(fields) == ["access_token", "token_type"]
    assert fields["token_type"] == ["Bearer"]
    assert _read(faulty, fields["access_token"][0]).json()["data"]["id"] == 2
    assert again.json()["error_description"] == (
        "The authorization code was already used."
    )


def test_token_form_does_not_reshape_an_error(
    faulty: TestClient, partner: Partner
) -> None:
    _fault(faulty, "token", "form")

    refused = faulty.post(TOKEN_URL, data=token_form(partner, "forged"))

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_token_delay_waits_then_answers_normally(
    faulty: TestClient, partner: Partner
) -> None:
    code = _code(faulty, partner)
    _fault(faulty, "token", "delay:0.4")

    started = time.monotonic()
    answer = faulty.post(TOKEN_URL, data=token_form(partner, code))
    waited = time.monotonic() - started

    assert 0.4 <= waited < 2
    assert answer.status_code == 200
    assert sorted(answer.json()) == ["access_token", "token_type"]


# The user endpoint.


def test_user_500(faulty: TestClient, partner: Partner) -> None:
    token = _token(faulty, partner)
    _fault(faulty, "user", "500")

    answer = _read(faulty, token)

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.text == ERROR_PAGE


def test_user_malformed(faulty: TestClient, partner: Partner) -> None:
    token = _token(faulty, partner)
    _fault(faulty, "user", "malformed")

    answer = _read(faulty, token)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == MALFORMED


def test_user_success_false(faulty: TestClient, partner: Partner) -> None:
    token = _token(faulty, partner)
    _fault(faulty, "user", "success_false")

    answer = _read(faulty, token)

    assert answer.status_code == 200
    assert answer.json() == {
        "success": False,
        "message": "User data items could not be retrieved",
    }


def test_user_form(faulty: TestClient, partner: Partner) -> None:
    token = _token(faulty, partner)
    _fault(faulty, "user", "form")

    answer = _read(faulty, token)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-www-form-urlencoded"
    assert answer.text == (
        "success=1&message=User+data+items+retrieved+successfully&id=2"
        "&username=jose&email=jose%2Bdemo%40example.com"
        "&name=Jos%C3%A9+%C3%91and%C3%BA&phone=%2B34+600+000+123"
    )


def test_user_pairs_capitalises_email(faulty: TestClient, partner: Partner) -> None:
    token = _token(faulty, partner)
    _fault(faulty, "user", "pairs")

    answer = _read(faulty, token)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "success": True,
        "message": "User data items retrieved successfully",
        "data": [
            ["id", 2],
            ["username", "jose"],
            ["Email", "jose+demo@example.com"],
            ["name", "José Ñandú"],
            ["phone", "+34 600 000 123"],
        ],
    }


def test_user_pairs_keeps_a_refusal_a_refusal(faulty: TestClient) -> None:
    _fault(faulty, "user", "pairs")

    answer = _read(faulty, "unknown")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"


def test_a_delay_does_not_hold_up_other_requests(
    make_live_sandbox: Any, partner: Partner
) -> None:
    base = make_live_sandbox(faults="user=delay:1.5")
    slow: list[float] = []

    def read_slowly() -> None:
        started = time.monotonic()
        httpx.get(base + USER_URL, trust_env=False, timeout=5)
        slow.append(time.monotonic() - started)

    reader = threading.Thread(target=read_slowly)
    reader.start()
    time.sleep(0.2)
    started = time.monotonic()
    health = httpx.get(base + "/healthz", trust_env=False, timeout=5)
    quick = time.monotonic() - started
    reader.join()

    assert health.json() == {"status": "ok"}
    assert quick < 0.5
    assert slow[0] >= 1.5


def test_a_firing_fault_is_logged_once(
    make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(faults="user=malformed")
    caplog.set_level(logging.INFO, logger="ia_sandbox")

    _read(client, "anything")

    fired = [r.getMessage() for r in caplog.records if "fired" in r.getMessage()]
    assert fired == ["fault malformed fired on GET /api/public/user"]


# The control route.


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_control_route_is_404_unless_switched_on(
    client: TestClient, method: str
) -> None:
    response = client.request(
        method, CONTROL, json={"endpoint": "token", "fault": "500"}
    )

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "error_description": "Not Found"}
    assert client.post(TOKEN_URL).status_code == 400  # no fault was set


def test_faults_from_the_setting_show_and_can_be_replaced_and_cleared(
    make_client: Any,
) -> None:
    client = make_client(test_controls=True, faults="token=500,user=delay:2.5")

    shown = client.get(CONTROL).json()
    replaced = client.post(CONTROL, json={"endpoint": "token", "fault": "form"})
    removed = client.post(CONTROL, json={"endpoint": "user", "fault": "none"})
    cleared = client.delete(CONTROL)

    assert shown == {"faults": {"token": "500", "user": "delay:2.5"}}
    assert replaced.json() == {"faults": {"token": "form", "user": "delay:2.5"}}
    assert removed.json() == {"faults": {"token": "form"}}
    assert cleared.json() == {"faults": {}}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {"endpoint": "token", "fault": "pairs"},
            "Fault pairs applies to the user endpoint.",
        ),
        (
            {"endpoint": "frame", "fault": "500"},
            "Unknown endpoint 'frame' (use token or user).",
        ),
        (
            {"endpoint": "user", "fault": "delay:-1"},
            "'delay:-1' is not delay:SECONDS, as in delay:2.5.",
        ),
        ({"endpoint": "user"}, "Send endpoint and fault as text."),
        ([], "Send a JSON object."),
    ],
)
def test_control_route_refuses_bad_faults(
    faulty: TestClient, body: Any, reason: str
) -> None:
    response = faulty.post(CONTROL, json=body)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": reason}
    assert faulty.get(CONTROL).json() == {"faults": {}}
