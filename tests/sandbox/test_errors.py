"""Failure answers: clean, in the expected shape, never a traceback; and
logs that keep secrets out."""

import logging

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from ia_sandbox.logs import RedactSecrets, scrub
from tests.sandbox_harness import (
    CLIENT_SECRET,
    FRAME_URL,
    Partner,
    approve,
    ask,
    code_sent_to,
    frame_query,
    token_form,
)


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing")

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "error_description": "Not Found"}


def test_wrong_method_on_the_token_endpoint_is_a_json_405(client: TestClient) -> None:
    response = client.get("/api/oauth/token")

    assert response.status_code == 405
    assert response.json()["error"] == "invalid_request"


def _break_database(client: TestClient) -> None:
    # A real fault: the tables the handlers need are gone.
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.execute(text("DROP TABLE framesession"))
        connection.execute(text("DROP TABLE accesstoken"))


def test_crash_under_api_is_a_clean_json_500(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    _break_database(client)

    response = client.get(FRAME_URL, params=frame_query())

    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "error_description": "Unexpected server error.",
    }
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "unexpected error on GET /api/partner/authorize/view"
    ]


def test_crash_on_a_page_is_a_small_html_500(client: TestClient) -> None:
    _break_database(client)
    with client.app.state.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("DROP TABLE approvalrequest"))

    response = client.get("/app/ada")

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong on Instant Access." in response.text
    assert "Traceback" not in response.text


def test_logs_never_hold_the_secret_code_or_token(
    client: TestClient, partner: Partner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ia_sandbox")
    ask(client, "ada")
    approve(client, "ada")
    code = code_sent_to(partner)
    token = client.post("/api/oauth/token", data=token_form(partner, code)).json()
    client.get(FRAME_URL, params=frame_query(client_id=CLIENT_SECRET))

    logged = caplog.text

    assert "request 1 approved: partner accepted the code" in logged
    assert f"code {code[:4]}… exchanged for token" in logged
    for secret in (CLIENT_SECRET, code, token["access_token"]):
        assert secret not in logged


def test_access_log_lines_lose_the_client_secret() -> None:
    # The shape of uvicorn's access-log record.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            f"{FRAME_URL}?client_id=a&client_secret={CLIENT_SECRET}&payment=1",
            "1.1",
            200,
        ),
        None,
    )

    RedactSecrets().filter(record)

    assert record.getMessage() == (
        f'127.0.0.1:5000 - "GET {FRAME_URL}?client_id=a&client_secret=…&payment=1 '
        'HTTP/1.1" 200'
    )


@pytest.mark.parametrize(
    ("line", "scrubbed"),
    [
        (
            "GET /ia/callback?code=abcdefgh&state=1",
            "GET /ia/callback?code=abcd…&state=1",
        ),
        (
            "GET /api/partner/authorize/request/Zx9_Qwerty-123/cancel",
            "GET /api/partner/authorize/request/Zx9_…/cancel",
        ),
        ("postcode=12345", "postcode=12345"),
    ],
)
def test_logged_codes_and_request_refs_are_cut_short(line: str, scrubbed: str) -> None:
    assert scrub(line) == scrubbed
