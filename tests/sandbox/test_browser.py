"""The frame and the phone in a real browser: what the partner's page hears.

A partner page on its own origin embeds the frame; the user answers on the
phone page. The browser is the shared fixture of `tests/conftest.py`.
"""

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.sandbox_harness import CLIENT_ID, CLIENT_SECRET, FRAME_URL, Partner

# Keeps what the frame posts, from that frame only, as the portal should.
PARTNER_PAGE = """<!doctype html><meta charset="utf-8"><title>Partner</title>
<iframe id="ia" width="320" height="260" src="{frame}"></iframe>
<script>
  window.heard = [];
  var frame = document.getElementById("ia");
  window.addEventListener("message", function (event) {{
    if (event.origin === "{sandbox}" && event.source === frame.contentWindow) {{
      window.heard.push(event.data);
    }}
  }});
</script>"""


@pytest.fixture
def partner_site() -> Iterator[dict[str, str]]:
    """The partner's page, on its own origin; set ``html`` before loading."""
    site = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site["origin"] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_partner_page(
    browser: Any, partner_site: dict[str, str], make_live_sandbox: Callable[..., str]
) -> Iterator[Callable[..., tuple[Any, Any, str]]]:
    """Start a sandbox, load the partner page; return (page, frame, sandbox)."""
    contexts: list[Any] = []

    def open_page(embedder: str | None = None, **overrides: Any) -> Any:
        domain = embedder or partner_site["origin"]
        sandbox = make_live_sandbox(partner_domain=domain, **overrides)
        query = f"client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        partner_site["html"] = PARTNER_PAGE.format(
            frame=f"{sandbox}{FRAME_URL}?{query}", sandbox=sandbox
        )
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(partner_site["origin"])
        return page, page.frame_locator("#ia"), sandbox

    yield open_page
    for context in contexts:
        context.close()


def _continue_as(frame: Any, login: str) -> None:
    frame.get_by_label("Username or email").fill(login)
    frame.get_by_role("button", name="Continue").click()


def _phone(page: Any, sandbox: str, username: str) -> Any:
    phone = page.context.new_page()
    phone.goto(f"{sandbox}/app/{username}")
    return phone


def _answer_on_phone(page: Any, sandbox: str, username: str, button: str) -> None:
    _phone(page, sandbox, username).get_by_role("button", name=button).click()


def _heard(page: Any, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        heard: list[dict[str, Any]] = page.evaluate("window.heard")
        if len(heard) >= count:
            return heard
        time.sleep(0.05)
    return page.evaluate("window.heard")  # type: ignore[no-any-return]


def test_approval_posts_success_with_what_the_user_typed(
    open_partner_page: Any, partner: Partner
) -> None:
    page, frame, sandbox = open_partner_page()
    _continue_as(frame, "  jose+demo@example.com ")
    frame.get_by_text("Approve the request on your IA app").wait_for()

    _answer_on_phone(page, sandbox, "jose", "Approve")

    assert _heard(page, 2) == [
        {
            "action": "auth",
            "status": "success",
            "usernameOrEmail": "jose+demo@example.com",
        },
        {"action": "closeframe"},
    ]
    assert len(partner.paths) == 1


def test_denial_posts_denied(open_partner_page: Any) -> None:
    page, frame, sandbox = open_partner_page()
    phone = _phone(page, sandbox, "ada")  # open before the request arrives
    _continue_as(frame, "ada")

    phone.get_by_role("button", name="Deny").click()

    assert _heard(page, 2) == [
        {
            "action": "auth",
            "status": "denied",
            "message": "The request was denied in the Instant Access app.",
        },
        {"action": "closeframe"},
    ]


def test_failed_callback_posts_denied(open_partner_page: Any, partner: Partner) -> None:
    partner.status = 500
    page, frame, sandbox = open_partner_page()
    _continue_as(frame, "grace")
    frame.get_by_text("Approve the request on your IA app").wait_for()

    _answer_on_phone(page, sandbox, "grace", "Approve")

    assert _heard(page, 2) == [
        {
            "action": "auth",
            "status": "denied",
            "message": "The partner site could not complete the sign-in. "
            "Please try again.",
        },
        {"action": "closeframe"},
    ]


def test_no_answer_posts_timeout_and_clears_the_phone(open_partner_page: Any) -> None:
    page, frame, sandbox = open_partner_page(approval_timeout=1.5)
    phone = _phone(page, sandbox, "ada")
    _continue_as(frame, "ada")
    phone.get_by_role("button", name="Approve").wait_for()

    time.sleep(2.5)

    assert phone.get_by_role("button", name="Approve").count() == 0
    assert _heard(page, 2) == [
        {
            "action": "auth",
            "status": "timeout",
            "message": "The request was not approved in time. Please try again.",
        },
        {"action": "closeframe"},
    ]


def test_the_wait_counts_down_in_figures_and_in_a_bar(open_partner_page: Any) -> None:
    _page, frame, _sandbox = open_partner_page(approval_timeout=30)
    _continue_as(frame, "ada")
    frame.get_by_text("Approve the request on your IA app").wait_for()
    seconds = frame.locator("#seconds")
    first = seconds.inner_text()

    # A screen reader hears the start once, not every tick.
    status = frame.get_by_role("status")
    assert status.inner_text() == (
        "Request sent. Approve it on your IA app within 30 seconds."
    )
    assert first in ("30", "29")
    expect(seconds).not_to_have_text(first)
    assert int(seconds.inner_text()) < int(first)
    width = frame.locator("#bar-left").evaluate("bar => parseFloat(bar.style.width)")
    assert 80 < width < 100


def test_the_last_seconds_are_announced_and_the_bar_turns_red(
    open_partner_page: Any,
) -> None:
    _page, frame, _sandbox = open_partner_page(approval_timeout=12)
    _continue_as(frame, "ada")
    frame.get_by_text("Approve the request on your IA app").wait_for()

    status = frame.get_by_role("status")
    expect(status).to_have_text("10 seconds left to approve on your IA app.")
    expect(frame.locator("#bar")).to_have_class(re.compile(r"\blow\b"))


def test_unknown_user_is_told_in_the_frame(open_partner_page: Any) -> None:
    page, frame, _sandbox = open_partner_page()

    _continue_as(frame, "<b>nobody</b>")

    notice = frame.get_by_role("alert")
    notice.get_by_text("No Instant Access account matches").wait_for()
    expected = "No Instant Access account matches “<b>nobody</b>”."
    assert notice.inner_text() == expected
    assert page.evaluate("window.heard") == []


def test_cancel_posts_closeframe(open_partner_page: Any) -> None:
    page, frame, _sandbox = open_partner_page()

    frame.get_by_role("button", name="Cancel").click()

    assert _heard(page, 1) == [{"action": "closeframe"}]


def test_frame_does_not_render_under_another_origin(open_partner_page: Any) -> None:
    page, frame, _sandbox = open_partner_page(embedder="http://localhost:1")

    page.wait_for_timeout(500)

    assert frame.get_by_label("Username or email").count() == 0
