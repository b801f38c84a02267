"""The portal when IA fails: each sandbox fault on the token and user endpoints,
and an IA that refuses connections.

For every fault the callback answers one clear error, stores nothing, logs one
WARNING naming the cause (and no secret, code or traceback), and signs the next
person in as soon as IA is well again. The user fetch, a safe GET, is tried
three times when IA is unavailable; the code exchange is tried once, always.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal import ia_client
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.models import IAUser, ProfileChange
from ia_sandbox.app import create_app
from tests.portal.aio import run_async
from tests.portal.checks import portal_warnings, stored_rows
from tests.sandbox_harness import (
    CLIENT_SECRET,
    Partner,
    approve,
    ask,
    code_sent_to,
    make_settings,
    prepared_engine,
    sign_in,
)

ADA = "1@@ada@@ada@example.com"
ADA_ROW = (1, "ada", "ada@example.com", "Ada Lovelace", "+44 20 7946 0018")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Every call to IA must end within this; the delay fault waits longer.
TIMEOUT = "1"
TOO_SLOW = "delay:2"


@pytest.fixture
def ia(make_live_sandbox: Callable[..., str]) -> Iterator[httpx.Client]:
    """A client of a live sandbox whose faults tests switch on and off."""
    url = make_live_sandbox(test_controls=True)
    with httpx.Client(base_url=url, trust_env=False) as client:
        yield client


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], ia: httpx.Client) -> TestClient:
    return make_portal(str(ia.base_url).rstrip("/"), IA_HTTP_TIMEOUT=TIMEOUT)


@pytest.fixture
def ia_requests() -> Iterator[list[str]]:
    """The requests the sandbox answered with a fault: "GET /api/public/user", …

    The sandbox logs one WARNING each time a fault fires; a handler on its
    logger itself sees them whatever the root logger's configuration.
    """
    fired: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith("fault ") and " fired on " in message:
                fired.append(message.partition(" fired on ")[2])

    logger = logging.getLogger("ia_sandbox.faults")
    handler, level = Catch(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    yield fired
    logger.removeHandler(handler)
    logger.setLevel(level)


def _set_fault(ia: httpx.Client, endpoint: str, fault: str) -> None:
    answer = ia.post("/_sandbox/faults", json={"endpoint": endpoint, "fault": fault})
    assert answer.json() == {"faults": {endpoint: fault}}


def _clear_faults(ia: httpx.Client) -> None:
    assert ia.delete("/_sandbox/faults").json() == {"faults": {}}


def _approved_code(ia: httpx.Client, partner: Partner) -> str:
    ask(ia, "ada")
    assert approve(ia, "ada").status_code == 200
    return code_sent_to(partner)


def _assert_nothing_leaked(
    response: httpx.Response, log: pytest.LogCaptureFixture, *secrets: str
) -> None:
    for text in (response.text, log.text):
        assert "Traceback" not in text
        for secret in (CLIENT_SECRET, *secrets):
            assert secret not in text


# (endpoint, fault, error the callback answers with 502, requests IA answered
# with the fault: the code exchange once, the user fetch up to three times)
FAULTS = [
    ("token", TOO_SLOW, "IA did not answer the code exchange in time", 1),
    ("token", "500", "IA failed the code exchange (HTTP 500)", 1),
    ("token", "malformed", "IA's answer to the code exchange is not JSON", 1),
    (
        "token",
        "success_false",
        "IA's answer to the code exchange has no access token",
        1,
    ),
    ("token", "form", "IA's answer to the code exchange is not JSON", 1),
    ("user", TOO_SLOW, "IA did not answer the user fetch in time", 3),
    ("user", "500", "IA failed the user fetch (HTTP 500)", 3),
    ("user", "malformed", "IA's answer to the user fetch is not JSON", 1),
    (
        "user",
        "success_false",
        "IA did not return the user's data: User data items could not be retrieved",
        1,
    ),
    ("user", "form", "IA's answer to the user fetch is not JSON", 1),
]


@pytest.mark.parametrize(("endpoint", "fault", "error", "tries"), FAULTS)
def test_a_fault_gets_one_clear_error_and_ia_s_recovery_is_seen_at_once(
    portal: TestClient,
    ia: httpx.Client,
    partner: Partner,
    portal_log: pytest.LogCaptureFixture,
    ia_requests: list[str],
    endpoint: str,
    fault: str,
    error: str,
    tries: int,
) -> None:
    _set_fault(ia, endpoint, fault)
    code = _approved_code(ia, partner)

    response = portal.get(f"/ia/callback?code={code}&state={ADA}")

    assert (response.status_code, response.json()) == (
        502,
        {"status": "error", "error": error},
    )
    assert stored_rows() == ([], 0)
    assert portal_warnings(portal_log) == [f"callback failed: {error}"]
    route = {"token": "POST /api/oauth/token", "user": "GET /api/public/user"}
    assert ia_requests == [route[endpoint]] * tries
    _assert_nothing_leaked(response, portal_log, code)

    _clear_faults(ia)
    code = _approved_code(ia, partner)
    again = portal.get(f"/ia/callback?code={code}&state={ADA}")
    assert (again.status_code, again.json()) == (200, {"status": "ok"})
    assert stored_rows() == ([ADA_ROW], 1)
    _assert_nothing_leaked(again, portal_log, code)


def test_the_code_exchange_is_never_retried(
    portal: TestClient, ia: httpx.Client, partner: Partner, ia_requests: list[str]
) -> None:
    _set_fault(ia, "token", "500")
    code = _approved_code(ia, partner)

    assert portal.get(f"/ia/callback?code={code}&state={ADA}").status_code == 502

    assert ia_requests == ["POST /api/oauth/token"]


def test_user_data_as_pairs_with_a_capital_email_is_accepted(
    portal: TestClient, ia: httpx.Client, partner: Partner
) -> None:
    _set_fault(ia, "user", "pairs")
    code = _approved_code(ia, partner)

    response = portal.get(f"/ia/callback?code={code}&state={ADA}")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert stored_rows() == ([ADA_ROW], 1)


class FailsFirstUserFetch(httpx.AsyncBaseTransport):
    """The network, except that IA's first user fetch gets IA's 500 page.

    The sandbox's faults last until cleared; a 500 that happens once, the case
    a retry is for, is faked here and nowhere else.
    """

    def __init__(self) -> None:
        self.network = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        if self.sent == ["GET /api/public/user"]:
            return httpx.Response(500, html="<h1>Internal Server Error</h1>")
        return await self.network.handle_async_request(request)

    async def aclose(self) -> None:
        # Each try opens and closes its own client; the network outlives them.
        pass


def test_a_user_fetch_failing_once_succeeds_on_the_next_try(
    portal: TestClient,
    ia: httpx.Client,
    partner: Partner,
    portal_log: pytest.LogCaptureFixture,
) -> None:
    token = sign_in(ia, partner, "ada")
    transport = FailsFirstUserFetch()

    async def fetch() -> ia_client.IAUserData:
        try:
            return await ia_client.fetch_user(
                get_settings(), token, transport=transport
            )
        finally:
            await transport.network.aclose()

    user = run_async(fetch())

    assert (user.user_id, user.username) == (1, "ada")
    assert transport.sent == ["GET /api/public/user"] * 2
    assert portal_warnings(portal_log) == []
    assert token not in portal_log.text


def _closed_port() -> socket.socket:
    """A socket bound to a free port but not listening: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def _serve_sandbox(
    sock: socket.socket, tmp_path: Path, partner: Partner
) -> Callable[[], None]:
    """Start the sandbox on `sock`; return the function that stops it."""
    settings = make_settings(tmp_path, partner)
    app = create_app(settings, prepared_engine(settings))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    for _ in range(250):
        if server.started:
            break
        thread.join(0.02)
    assert server.started, "the sandbox did not start"

    def stop() -> None:
        server.should_exit = True
        thread.join()

    return stop


def test_an_ia_refusing_connections_is_a_clear_502_until_it_is_back(
    make_portal: Callable[..., TestClient],
    partner: Partner,
    tmp_path: Path,
    portal_log: pytest.LogCaptureFixture,
) -> None:
    sock = _closed_port()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    portal = make_portal(url, IA_HTTP_TIMEOUT=TIMEOUT)

    response = portal.get(f"/ia/callback?code=never-sent&state={ADA}")

    error = "IA could not be reached for the code exchange (ConnectError)"
    assert (response.status_code, response.json()) == (
        502,
        {"status": "error", "error": error},
    )
    assert stored_rows() == ([], 0)
    assert portal_warnings(portal_log) == [f"callback failed: {error}"]
    _assert_nothing_leaked(response, portal_log, "never-sent")

    stop = _serve_sandbox(sock, tmp_path, partner)
    try:
        with httpx.Client(base_url=url, trust_env=False) as ia:
            code = _approved_code(ia, partner)
        again = portal.get(f"/ia/callback?code={code}&state={ADA}")
    finally:
        stop()
    assert (again.status_code, again.json()) == (200, {"status": "ok"})
    assert stored_rows() == ([ADA_ROW], 1)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("500", "IA failed the user fetch (HTTP 500)"),
        ("malformed", "IA's answer to the user fetch is not JSON"),
    ],
)
def test_a_re_sync_ia_fails_is_a_502_that_changes_nothing(
    portal: TestClient,
    ia: httpx.Client,
    partner: Partner,
    portal_log: pytest.LogCaptureFixture,
    fault: str,
    error: str,
) -> None:
    code = _approved_code(ia, partner)
    assert portal.get(f"/ia/callback?code={code}&state={ADA}").status_code == 200
    before = _user_state()
    _set_fault(ia, "user", fault)
    portal_log.clear()

    response = portal.post("/ia/callback", content="user_id=1", headers=FORM)

    assert (response.status_code, response.json()) == (
        502,
        {"status": "error", "error": error},
    )
    assert _user_state() == before
    assert portal_warnings(portal_log) == [f"re-sync of IA user 1 failed: {error}"]
    _assert_nothing_leaked(response, portal_log)

    _clear_faults(ia)
    again = portal.post("/ia/callback", content="user_id=1", headers=FORM)
    assert again.json() == {"status": "ok", "result": "unchanged"}


def _user_state() -> tuple[object, ...]:
    """Everything a re-sync may change: the row, its token and the change log."""
    with open_session() as session:
        user = session.exec(select(IAUser)).one()
        changes = len(session.exec(select(ProfileChange)).all())
    return (
        user.username,
        user.email,
        user.name,
        user.phone,
        user.profile_items,
        user.access_token,
        user.access_revoked_at,
        user.last_synced_at,
        changes,
    )
