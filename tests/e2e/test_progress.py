"""What the portal shows while it waits for IA: a spinner over IA's frame until
IA's page has loaded, and one beside the status line while the frame is open."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.e2e.flows import PAY, SIGN_IN, open_portal
from tests.e2e.stack import Stack

IA_FRAME = "iframe[title='Instant Access']"
CONNECTING = "Connecting to Instant Access…"


def test_a_spinner_covers_ia_s_frame_until_ia_s_page_has_loaded(
    page: Page, stack: Stack
):
    held: list[Route] = []
    # The frame's request is held back, as a slow IA would hold it. (Held at
    # its first hop, the portal's redirect to IA: the browser follows a
    # redirect without asking the page's routes again.)
    page.route(f"{stack.api_url}/ia/frame/*", lambda route: held.append(route))
    open_portal(page, stack, "/")

    page.get_by_role("button", name=SIGN_IN).click()

    expect(page.locator(IA_FRAME)).to_be_attached()
    expect(page.get_by_role("status").filter(has_text=CONNECTING)).to_be_visible()
    expect(page.locator(".ia-frame-box")).to_have_attribute("aria-busy", "true")
    assert len(held) == 1

    held[0].continue_()

    expect(page.get_by_text(CONNECTING)).to_have_count(0)
    expect(page.locator(".ia-frame-box")).to_have_attribute("aria-busy", "false")
    login = page.frame_locator(IA_FRAME).get_by_label("Username or email")
    expect(login).to_be_focused()


def test_the_status_line_spins_while_ia_s_frame_is_open(page: Page, stack: Stack):
    open_portal(page, stack, "/checkout")
    spinner = page.locator("#ia-status").locator("xpath=..").locator(".rt-Spinner")
    expect(spinner).to_have_count(0)

    page.get_by_role("button", name=PAY).click()
    expect(spinner).to_be_visible()
    page.frame_locator(IA_FRAME).get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("button", name=PAY)).to_be_visible()
    expect(spinner).to_have_count(0)
