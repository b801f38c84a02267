"""Forged and stray browser messages sign no one in and pay nothing.

Each test first leaves a fresh, unclaimed IA callback for ada on the server
(ada approved on her phone, but her tab never heard of it), so that the server-side
proof alone would accept a success naming ada. Then a message is sent from
somewhere that is not this button's own IA frame, or from that frame with a
body outside the protocol. Nothing may change beyond a logged rejection, and
a real sign-in afterwards still works.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.evil import evil_origins
from tests.e2e.flows import (
    SIGN_IN,
    answer_on_phone,
    count_rows,
    identify,
    identify_in_frame,
    open_portal,
    sign_in,
)
from tests.e2e.stack import CLIENT_ID, CLIENT_SECRET, Stack

FORGED = "{action: 'auth', status: 'success', usernameOrEmail: 'ada'}"
OUR_FRAME = "iframe[title='Instant Access']"
IGNORED_IN_CONSOLE = "IA message ignored"
LOGGED = "IA button ignored a message"


@pytest.fixture(scope="module")
def evil(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with evil_origins(stack.sandbox_url, tmp_path_factory.mktemp("evil")) as origins:
        yield origins


def _leave_unclaimed_callback_for_ada(browser: Browser, phone: Page, stack: Stack):
    """Ada approves, but her tab never hears of it (its status polls are lost)."""
    callbacks = count_rows(stack, "ia_callback")
    context = browser.new_context()
    identify(context.new_page(), stack, "ada")
    context.route("**/api/partner/authorize/request/*", lambda route: route.abort())
    answer_on_phone(phone, stack, "ada", "Approve")
    deadline = time.monotonic() + 10
    while count_rows(stack, "ia_callback") != callbacks + 1:
        assert time.monotonic() < deadline, "IA's callback for ada did not arrive"
        phone.wait_for_timeout(200)
    context.close()


def _current_frame(page: Page) -> Frame | None:
    # Asked anew each time: a cross-origin navigation may swap the Frame object.
    handle = page.locator(OUR_FRAME).element_handle()
    return handle.content_frame() if handle else None


def _frame_at(page: Page, url: str) -> Frame:
    """The button's own iframe, once it has loaded `url` (a prefix of it)."""
    deadline = time.monotonic() + 20
    while True:
        frame = _current_frame(page)
        if frame is not None and frame.url.startswith(url):
            frame.wait_for_load_state()
            return frame
        assert time.monotonic() < deadline, f"the frame did not load {url}"
        # Not time.sleep: Playwright's sync API only sees events while it waits.
        page.wait_for_timeout(100)


def _our_frame(page: Page, stack: Stack) -> Frame:
    """The button's own IA frame, loaded from the sandbox."""
    return _frame_at(page, stack.sandbox_url)


def _inject_frame(
    page: Page, src: str = "", srcdoc: str = "", sandbox: str = ""
) -> None:
    page.evaluate(
        """([src, srcdoc, sandbox]) => {
            const frame = document.createElement('iframe');
            frame.id = 'stray';
            if (sandbox) frame.setAttribute('sandbox', sandbox);
            if (srcdoc) frame.srcdoc = srcdoc; else frame.src = src;
            document.body.appendChild(frame);
        }""",
        [src, srcdoc, sandbox],
    )


def _stray_frame(page: Page) -> Frame:
    handle = page.locator("#stray").element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    frame.wait_for_load_state()
    return frame


def _navigate_ours(page: Page, url: str) -> Frame:
    """Send the button's own iframe elsewhere (what a hijacked redirect would do)."""
    page.locator(OUR_FRAME).evaluate("(f, url) => { f.src = url; }", url)
    return _frame_at(page, url)


Send = Callable[[Page, Stack, dict], None]


def _from_page(page: Page, stack: Stack, evil: dict) -> None:
    page.evaluate(f"window.postMessage({FORGED}, '*')")


def _from_other_origin_frame(page: Page, stack: Stack, evil: dict) -> None:
    _inject_frame(page, src=evil["another port"])
    _stray_frame(page).evaluate(f"parent.postMessage({FORGED}, '*')")


def _from_null_origin_frame(page: Page, stack: Stack, evil: dict) -> None:
    script = f"<script>parent.postMessage({FORGED}, '*')</script>"
    _inject_frame(page, srcdoc=script, sandbox="allow-scripts")
    page.wait_for_timeout(300)


def _from_second_ia_frame(page: Page, stack: Stack, evil: dict) -> None:
    query = urlencode({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    _inject_frame(page, src=f"{stack.sandbox_url}/api/partner/authorize/view?{query}")
    _stray_frame(page).evaluate(f"parent.postMessage({FORGED}, '*')")


def _from_our_frame_at(name: str) -> Send:
    def send(page: Page, stack: Stack, evil: dict) -> None:
        _navigate_ours(page, evil[name]).evaluate(f"parent.postMessage({FORGED}, '*')")

    return send


def _from_our_ia_frame(body: str) -> Send:
    def send(page: Page, stack: Stack, evil: dict) -> None:
        _our_frame(page, stack).evaluate(f"parent.postMessage({body}, '*')")

    return send


# (variant, how the message is sent, where the rejection is logged)
VARIANTS: list[tuple[str, Send, str]] = [
    ("the page itself", _from_page, "console"),
    ("a frame of another origin", _from_other_origin_frame, "console"),
    ("a sandboxed frame (origin null)", _from_null_origin_frame, "console"),
    ("a second IA frame, not ours", _from_second_ia_frame, "console"),
    (
        "our frame at IA's host plus a suffix",
        _from_our_frame_at("suffix host"),
        "server",
    ),
    ("our frame at a lookalike host", _from_our_frame_at("lookalike host"), "server"),
    (
        "our frame at IA's host, another port",
        _from_our_frame_at("another port"),
        "server",
    ),
    (
        "our frame at a prefix of IA's origin",
        _from_our_frame_at("origin prefix"),
        "server",
    ),
    ("our frame over https, not http", _from_our_frame_at("https, not http"), "server"),
    ("IA's frame: no status", _from_our_ia_frame("{action: 'auth'}"), "server"),
    (
        "IA's frame: user is a number",
        _from_our_ia_frame("{action: 'auth', status: 'success', usernameOrEmail: 42}"),
        "server",
    ),
    (
        "IA's frame: user is empty",
        _from_our_ia_frame("{action: 'auth', status: 'success', usernameOrEmail: ''}"),
        "server",
    ),
    ("IA's frame: body is a string", _from_our_ia_frame("'success'"), "server"),
    (
        "IA's frame: unknown action",
        _from_our_ia_frame(
            "{action: 'login', status: 'success', usernameOrEmail: 'ada'}"
        ),
        "server",
    ),
    (
        "IA's frame: status in capitals",
        _from_our_ia_frame(
            "{action: 'auth', status: 'SUCCESS', usernameOrEmail: 'ada'}"
        ),
        "server",
    ),
    (
        "IA's frame: a huge user",
        _from_our_ia_frame(
            "{action: 'auth', status: 'success', usernameOrEmail: 'a'.repeat(1000000)}"
        ),
        "server",
    ),
]


@pytest.mark.parametrize(
    ("send", "logged"),
    [pytest.param(send, logged, id=name) for name, send, logged in VARIANTS],
)
def test_forged_success_is_rejected(
    browser: Browser,
    page: Page,
    phone: Page,
    stack: Stack,
    evil: dict,
    send: Send,
    logged: str,
):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    open_portal(page, stack)
    page.get_by_role("button", name=SIGN_IN).click()
    _our_frame(page, stack)
    _leave_unclaimed_callback_for_ada(browser, phone, stack)
    sessions = count_rows(stack, "portal_session")
    server_log = Path(stack.logs["portal"]).read_text().count(LOGGED)

    send(page, stack, evil)

    page.wait_for_timeout(1500)
    expect(page).not_to_have_url(re.compile(r"/profile$"))
    assert count_rows(stack, "portal_session") == sessions
    expect(page.locator("#ia-status")).not_to_contain_text("Could not confirm")
    if logged == "console":
        assert any(IGNORED_IN_CONSOLE in text for text in console)
    else:
        assert Path(stack.logs["portal"]).read_text().count(LOGGED) > server_log

    # A real sign-in still works afterwards, from a fresh page and attempt.
    page.reload()
    page.get_by_role("button", name=SIGN_IN).click()
    identify_in_frame(page, "grace")
    answer_on_phone(phone, stack, "grace", "Approve")
    expect(page.locator("#profile")).to_contain_text("Grace Hopper")


def test_success_for_a_user_ia_did_not_vouch_for_is_refused(
    page: Page, phone: Page, stack: Stack
):
    identify(page, stack, "grace")
    sessions = count_rows(stack, "portal_session")

    # From IA's own origin and our own frame: only the server's proof is left.
    _our_frame(page, stack).evaluate(
        "parent.postMessage({action: 'auth', status: 'success', "
        "usernameOrEmail: 'jose'}, '*')"
    )

    expect(page.locator("#ia-status")).to_contain_text(
        "Could not confirm your sign-in with Instant Access"
    )
    assert count_rows(stack, "portal_session") == sessions


def test_success_replayed_after_sign_out_is_refused(
    page: Page, phone: Page, stack: Stack
):
    sign_in(page, phone, stack, "ada", "ada")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name=SIGN_IN).click()
    sessions = count_rows(stack, "portal_session")

    _our_frame(page, stack).evaluate(f"parent.postMessage({FORGED}, '*')")

    expect(page.locator("#ia-status")).to_contain_text(
        "Could not confirm your sign-in with Instant Access"
    )
    assert count_rows(stack, "portal_session") == sessions
    expect(page).not_to_have_url(re.compile(r"/profile$"))
