"""A `success` that did not come from our own IA frame signs no one in.

Each test first leaves a fresh, unclaimed IA callback for ada on the server
(ada approved, but her tab went away), so the server-side proof alone would
accept a success naming ada: only the button's origin-and-source check stands
between the forged message and a wrong sign-in.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import (
    SIGN_IN,
    answer_on_phone,
    count_rows,
    identify,
    identify_in_frame,
    open_portal,
)
from tests.e2e.stack import Stack, free_port

FORGED = "{action: 'auth', status: 'success', usernameOrEmail: 'ada'}"
EVIL_PAGE = f"""<!doctype html><title>not IA</title>
<script>parent.postMessage({FORGED}, '*');</script>"""


@pytest.fixture(scope="module")
def evil_origin() -> Iterator[str]:
    """A page on another origin that posts a forged success to its parent."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = EVIL_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _leave_unclaimed_callback_for_ada(browser: Browser, phone: Page, stack: Stack):
    callbacks = count_rows(stack, "ia_callback")
    context = browser.new_context()
    identify(context.new_page(), stack, "ada")
    context.close()  # ada's tab goes away before IA can tell it anything
    answer_on_phone(phone, stack, "ada", "Approve")
    for _ in range(40):
        if count_rows(stack, "ia_callback") == callbacks + 1:
            return
        phone.wait_for_timeout(250)
    raise AssertionError("IA's callback for ada did not arrive")


def _assert_not_signed_in(page: Page, stack: Stack, sessions_before: int) -> None:
    page.wait_for_timeout(1500)
    expect(page).not_to_have_url(re.compile(r"/profile$"))
    assert count_rows(stack, "portal_session") == sessions_before
    # The message never reached the server: no refusal was even needed.
    expect(page.locator("#ia-status")).not_to_contain_text("Could not confirm")


def _then_a_real_sign_in_works(page: Page, phone: Page, stack: Stack) -> None:
    identify_in_frame(page, "grace")
    answer_on_phone(phone, stack, "grace", "Approve")
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#profile")).to_contain_text("Grace Hopper")


def test_success_posted_by_the_page_itself(
    browser: Browser, page: Page, phone: Page, stack: Stack
):
    open_portal(page, stack)
    page.get_by_role("button", name=SIGN_IN).click()
    expect(page.locator("iframe[title='Instant Access']")).to_be_visible()
    _leave_unclaimed_callback_for_ada(browser, phone, stack)
    sessions = count_rows(stack, "portal_session")

    page.evaluate(f"window.postMessage({FORGED}, '*')")

    _assert_not_signed_in(page, stack, sessions)
    _then_a_real_sign_in_works(page, phone, stack)


def test_success_posted_by_a_frame_of_another_origin(
    browser: Browser, page: Page, phone: Page, stack: Stack, evil_origin: str
):
    open_portal(page, stack)
    page.get_by_role("button", name=SIGN_IN).click()
    expect(page.locator("iframe[title='Instant Access']")).to_be_visible()
    _leave_unclaimed_callback_for_ada(browser, phone, stack)
    sessions = count_rows(stack, "portal_session")

    page.evaluate(
        """(src) => {
            const frame = document.createElement('iframe');
            frame.src = src;
            frame.id = 'evil';
            document.body.appendChild(frame);
        }""",
        evil_origin,
    )
    expect(page.frame_locator("#evil").locator("title")).to_have_count(1)

    _assert_not_signed_in(page, stack, sessions)
    _then_a_real_sign_in_works(page, phone, stack)
