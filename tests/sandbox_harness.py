"""A harness for driving the IA sandbox in tests: a fresh sandbox (in-process or
served by uvicorn), a real partner callback receiver on 127.0.0.1 that records
what it is sent, and helpers that act as the frame's and the phone's scripts.

The sandbox's own tests and the portal's tests against IA both use it; their
conftest files re-export the fixtures.
"""

import contextlib
import json
import re
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from ia_sandbox.app import create_app
from ia_sandbox.config import Settings
from ia_sandbox.db import create_tables, make_engine
from ia_sandbox.seed import seed_demo_users

with warnings.catch_warnings():
    # Starlette 1.10 prefers the httpx2 package for its TestClient; the
    # pinned httpx works the same, and no extra package is installed for it.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret-ZZ9"
PARTNER_ORIGIN = "http://localhost:3000"


@dataclass(frozen=True)
class Posted:
    """One ``POST`` the partner's callback received."""

    path: str  # the raw request target
    content_type: str
    body: str  # decoded as UTF-8, e.g. "user_id=2"


@dataclass
class Partner:
    """The partner's callback endpoint, as the sandbox sees it over HTTP.

    ``GET`` callbacks (codes) land in ``paths``, ``POST`` callbacks (profile
    changes, revocations) in ``posts``; both are answered with ``status``.
    """

    url: str
    status: int = 200
    paths: list[str] = field(default_factory=list)  # raw request targets
    # Runs inside the callback, before it answers (a partner exchanging the
    # code right away); its result is kept in ``seen``.
    during: Callable[[str], Any] | None = None
    seen: list[Any] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    # Like ``during``, for a POST: called with the body, result kept in ``seen``.
    during_post: Callable[[str], Any] | None = None


@pytest.fixture
def partner() -> Iterator[Partner]:
    """A real HTTP server standing in for the partner's callback route."""
    recorder = Partner(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorder.paths.append(self.path)
            if recorder.during is not None:
                recorder.seen.append(recorder.during(self.path))
            self._answer()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            content_type = self.headers.get("Content-Type", "")
            recorder.posts.append(Posted(self.path, content_type, body))
            if recorder.during_post is not None:
                recorder.seen.append(recorder.during_post(body))
            self._answer()

        def _answer(self) -> None:
            # A slow partner's caller may have given up already: that is the
            # case under test, not an error of the recorder.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(recorder.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/ia/callback"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


def make_settings(tmp_path: Path, partner: Partner, **overrides: Any) -> Settings:
    """Settings given in full, so neither the environment nor .env leaks in."""
    values: dict[str, Any] = {
        "url": "http://localhost:8001",
        "database_url": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "partner_name": "IA Portal (demo)",
        "partner_client_id": CLIENT_ID,
        "partner_client_secret": CLIENT_SECRET,
        "partner_domain": PARTNER_ORIGIN,
        "partner_callback_url": partner.url,
        "partner_currency": "USD",
        "approval_timeout": 30,
        "code_ttl": 60,
        "callback_timeout": 3,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


def prepared_engine(settings: Settings) -> Engine:
    engine = make_engine(settings)
    create_tables(engine)
    seed_demo_users(engine)
    return engine


@pytest.fixture
def make_client(tmp_path: Path, partner: Partner) -> Iterator[Callable[..., Any]]:
    """Build an in-process sandbox with some settings overridden."""
    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = make_settings(tmp_path, partner, **overrides)
        app = create_app(settings, prepared_engine(settings))
        client = TestClient(app, base_url="http://localhost:8001")
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A sandbox with the default test settings."""
    return make_client()


@pytest.fixture
def make_live_sandbox(tmp_path: Path, partner: Partner) -> Iterator[Callable[..., str]]:
    """Serve the sandbox with uvicorn on a free port; return its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def make(**overrides: Any) -> str:
        settings = make_settings(tmp_path, partner, **overrides)
        app = create_app(settings, prepared_engine(settings))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
        thread.start()
        servers.append((server, thread))
        for _ in range(250):
            if server.started:
                break
            thread.join(0.02)
        assert server.started, "the sandbox did not start"
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield make
    for server, thread in servers:
        server.should_exit = True
        thread.join()


@pytest.fixture
def live_sandbox(make_live_sandbox: Callable[..., str]) -> str:
    """The sandbox with the default test settings, served for real."""
    return make_live_sandbox()


# Helpers that drive the flow the way the frame's and the phone's scripts do.

FRAME_URL = "/api/partner/authorize/view"


def frame_query(**extra: str) -> dict[str, str]:
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **extra}


def page_config(html: str, script_id: str) -> dict[str, Any]:
    """The JSON a page hands its script in ``<script id=… type=application/json>``."""
    match = re.search(rf'<script id="{script_id}"[^>]*>(.*?)</script>', html, re.S)
    assert match is not None, f"no {script_id} in page"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def open_frame(client: Any, **extra: str) -> dict[str, Any]:
    """Load the frame and return its script's configuration."""
    response = client.get(FRAME_URL, params=frame_query(**extra))
    assert response.status_code == 200
    return page_config(response.text, "ia-frame-config")


def ask(client: Any, login: str, **extra: str) -> dict[str, Any]:
    """Open a frame and send a request to ``login``'s phone; return the answer."""
    config = open_frame(client, **extra)
    response = client.post(
        config["requestUrl"], json={"frame": config["frame"], "usernameOrEmail": login}
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def only_pending_id(client: Any, username: str) -> int:
    cards = client.get(f"/app/{username}/requests").json()["requests"]
    assert len(cards) == 1
    request_id: int = cards[0]["id"]
    return request_id


def approve(client: Any, username: str) -> Any:
    """Press Approve on the user's only pending request."""
    request_id = only_pending_id(client, username)
    return client.post(f"/app/{username}/requests/{request_id}/approve")


def code_sent_to(partner: Partner) -> str:
    """The code in the last callback the partner received."""
    return parse_qs(urlsplit(partner.paths[-1]).query)["code"][0]


def sign_in(client: Any, partner: Partner, username: str) -> str:
    """Sign ``username`` in to the partner end to end; return the access token."""
    ask(client, username)
    assert approve(client, username).json()["status"] == "approved"
    code = code_sent_to(partner)
    exchanged = client.post("/api/oauth/token", data=token_form(partner, code))
    assert exchanged.status_code == 200, exchanged.text
    token: str = exchanged.json()["access_token"]
    return token


def token_form(partner: Partner, code: str, **overrides: str) -> dict[str, str]:
    """The partner's token request, as documented; fields may be overridden."""
    form = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": code,
        "redirect_uri": partner.url,
        "grant_type": "authorization_code",
    }
    return form | overrides
