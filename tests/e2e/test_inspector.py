"""The live protocol inspector in Chromium: `/inspector` follows a real sign-in
step by step without a reload and draws it; the pages' side panel toggles."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import (
    PAY,
    SIGN_IN,
    answer_on_phone,
    identify_in_frame,
    open_portal,
    query,
    sign_in,
)
from tests.e2e.stack import CLIENT_SECRET, TOKEN_KEY, Stack

SIGN_IN_STEPS = [
    "frame_requested",
    "frame_opened",
    "callback_received",
    "code_exchanged",
    "user_fetched",
    "callback_answered",
    "browser_message",
    "confirmation",
    "signed_in",
]
STEP = "ol.inspector-timeline > li"


def _steps(page: Page) -> list[str]:
    return page.locator(STEP).evaluate_all(
        "items => items.map(item => item.dataset.step)"
    )


def _access_tokens(stack: Stack) -> list[str]:
    rows = query(stack, "SELECT access_token FROM ia_user WHERE access_token > ''")
    return [Fernet(TOKEN_KEY).decrypt(row[0].encode()).decode() for row in rows]


def test_inspector_follows_a_sign_in_live_and_draws_it(
    browser: Browser, page: Page, phone: Page, stack: Stack
):
    open_portal(page, stack, "/inspector")
    expect(page.get_by_text("live", exact=True)).to_be_visible()
    expect(page.locator("#inspector-flow")).to_have_text("No attempt yet")

    # Another tab of the same browser signs in; this one is not reloaded.
    sign_in(page.context.new_page(), phone, stack, "ada", "ada")

    expect(page.locator(STEP)).to_have_count(len(SIGN_IN_STEPS))
    assert _steps(page) == SIGN_IN_STEPS
    expect(page.locator("#inspector-flow")).to_have_text(
        "Sign-in · ada · this browser · Signed in"
    )
    timeline = page.locator("ol.inspector-timeline")
    expect(timeline).to_contain_text("email: ada@example.com")
    expect(timeline).to_contain_text("client_secret=[redacted]")
    expect(timeline).to_contain_text(re.compile(r"\+\d+\.\d{3} s"))
    diagram = page.locator("#inspector-diagram svg")
    expect(diagram).to_be_visible()
    expect(diagram).to_contain_text("postMessage auth success for ada")
    expect(diagram).to_contain_text("Phone (IA app)")

    seen = page.content()
    assert CLIENT_SECRET not in seen
    tokens = _access_tokens(stack)
    assert tokens
    assert not [token for token in tokens if token in seen]

    # Another browser sees the attempt, but not ada's email, name or phone.
    other = browser.new_context().new_page()
    open_portal(other, stack, "/inspector")
    row = other.locator("#inspector-flows tbody tr").first
    expect(row).to_contain_text("ada")
    expect(row).to_contain_text("Signed in")
    row.get_by_role("button").click()
    expect(other.locator("#inspector-flow")).to_contain_text("another browser")
    other_timeline = other.locator("ol.inspector-timeline")
    expect(other_timeline).to_contain_text("email: (hidden: another browser's")
    expect(other_timeline).not_to_contain_text("ada@example.com")
    other.context.close()


@pytest.mark.parametrize(("path", "button"), [("/", SIGN_IN), ("/checkout", PAY)])
def test_side_panel_toggles_and_follows_the_flow(
    page: Page, stack: Stack, path: str, button: str
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_portal(page, stack, path)
    toggle = page.get_by_role("button", name="Protocol inspector")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#inspector-panel")).to_have_count(0)

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "true")
    panel = page.locator("#inspector-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_text("live", exact=True)).to_be_visible()
    page.get_by_role("button", name=button).click()
    expect(panel.locator(STEP)).to_have_count(2)
    assert _steps(page) == ["frame_requested", "frame_opened"]
    expect(panel).to_contain_text("IA frame opened")
    # The diagram's library is never loaded by these pages.
    assert not [url for url in requested if "mermaid" in url.lower()]

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(panel).to_have_count(0)


def test_side_panel_shows_an_ignored_message_and_a_denial(
    page: Page, phone: Page, stack: Stack
):
    open_portal(page, stack)
    page.get_by_role("button", name="Protocol inspector").click()
    page.get_by_role("button", name=SIGN_IN).click()
    identify_in_frame(page, "jose")
    frame = next(f for f in page.frames if f.url.startswith(stack.sandbox_url))

    # From IA's own frame, but outside the protocol: the button ignores it.
    frame.evaluate("parent.postMessage({action: 'auth'}, '*')")
    answer_on_phone(phone, stack, "jose", "Deny")

    panel = page.locator("#inspector-panel")
    expect(panel.locator(STEP)).to_have_count(5)
    assert _steps(page) == [
        "frame_requested",
        "frame_opened",
        "browser_message",
        "browser_message",
        "denied",
    ]
    oks = panel.locator(STEP).evaluate_all("items => items.map(i => i.dataset.ok)")
    assert oks == ["yes", "yes", "", "yes", "yes"]
    expect(panel).to_contain_text("ignored: unknown status")
    expect(panel).to_contain_text("auth denied")
