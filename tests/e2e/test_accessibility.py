"""Accessibility in Chromium: axe-core on every page of the portal (signed out
and signed in) and of the IA sandbox, in the light and the dark theme; the
keyboard through a whole sign-in; and every page at a phone's width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.axe import blocking, report
from tests.e2e.fit import cut_off, overflow
from tests.e2e.flows import (
    PAY,
    SIGN_IN,
    answer_on_phone,
    identify_in_frame,
    open_portal,
    sign_in,
)
from tests.e2e.stack import CLIENT_ID, Stack

PHONE_WIDTH = 390
DESKTOP_WIDTH = 1280
IA_FRAME = "iframe[title='Instant Access']"
INSPECTOR = "Protocol inspector"
THEME_TOGGLE = "Toggle light and dark theme"


def _context_page(browser: Browser, scheme: str, width: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme
    )
    context.set_default_timeout(20_000)
    return context.new_page()


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def themed(browser: Browser, stack: Stack, scheme: str) -> Iterator[tuple[Page, Page]]:
    """A portal tab and a phone, both in `scheme` (the system's colour scheme)."""
    pages = [
        _context_page(browser, scheme, DESKTOP_WIDTH),
        _context_page(browser, scheme, PHONE_WIDTH),
    ]
    yield pages[0], pages[1]
    for page in pages:
        page.context.close()


def _ia_frame(page: Page) -> Frame:
    """IA's frame on the page, once its document has loaded."""
    handle = page.locator(IA_FRAME).element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None, "IA's frame is not on the page"
    frame.wait_for_load_state()
    expect(page.get_by_text("Connecting to Instant Access")).to_have_count(0)
    return frame


def _assert_none(found: dict[str, list[dict[str, Any]]]) -> None:
    assert not any(found.values()), "axe-core found:\n" + report(found)


def _expect_theme(page: Page, scheme: str) -> None:
    """The portal follows the system's scheme when no theme was chosen."""
    expect(page.locator("html")).to_have_class(re.compile(rf"\b{scheme}\b"))


def _open_frame_with_panel(page: Page, button: str) -> Frame:
    toggle = page.get_by_role("button", name=INSPECTOR)
    # The panel stays open from page to page once opened.
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()
    expect(page.locator("#inspector-panel")).to_be_visible()
    page.get_by_role("button", name=button).click()
    return _ia_frame(page)


def test_portal_pages_pass_axe_signed_out(
    themed: tuple[Page, Page], stack: Stack, scheme: str
):
    page, _ = themed
    found = {}

    open_portal(page, stack, "/")
    _expect_theme(page, scheme)
    found["/"] = blocking(page)

    _open_frame_with_panel(page, SIGN_IN)
    found["/ with IA's frame and the inspector panel open"] = blocking(page)

    open_portal(page, stack, "/checkout")
    page.get_by_label(re.compile("Add a tip")).fill("two")
    expect(page.locator("#tip-error")).not_to_be_empty()
    found["/checkout, with a tip refused"] = blocking(page)

    open_portal(page, stack, "/inspector")
    found["/inspector, nothing to show yet"] = blocking(page)

    page.goto(stack.portal_url + "/profile")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
    found["/profile, signed out: sent to /"] = blocking(page)

    _assert_none(found)


def test_portal_pages_pass_axe_signed_in(
    themed: tuple[Page, Page], stack: Stack, scheme: str
):
    page, phone = themed
    found = {}

    open_portal(page, stack, "/")
    page.get_by_role("button", name=SIGN_IN).click()
    identify_in_frame(page, "ada")
    answer_on_phone(phone, stack, "ada", "Approve")
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#profile")).to_contain_text("Ada Lovelace")
    found["/profile, no payment yet"] = blocking(page)

    open_portal(page, stack, "/")
    expect(page.get_by_text("You are signed in as")).to_be_visible()
    found["/, signed in"] = blocking(page)

    open_portal(page, stack, "/checkout")
    expect(page.locator("#total")).to_have_text("$141.90")
    _open_frame_with_panel(page, PAY)
    identify_in_frame(page, "ada")
    found["/checkout, IA's frame counting down"] = blocking(page)
    answer_on_phone(phone, stack, "ada", "Approve")
    expect(page.locator("#ia-status")).to_contain_text("Paid $141.90")
    found["/checkout, paid"] = blocking(page)

    open_portal(page, stack, "/profile")
    expect(page.locator("#payments")).to_contain_text("$141.90")
    found["/profile, with a payment"] = blocking(page)

    open_portal(page, stack, "/inspector")
    expect(page.locator("figure.ia-sequence[data-drawn='yes']")).to_be_visible()
    found["/inspector, with the diagram drawn"] = blocking(page)

    _assert_none(found)


def test_ia_frame_and_phone_pass_axe(
    themed: tuple[Page, Page], stack: Stack, scheme: str
):
    page, phone = themed
    found = {}

    open_portal(page, stack, "/checkout")
    page.get_by_role("button", name=PAY).click()
    frame = _ia_frame(page)
    found["IA's frame, asking who pays"] = blocking(frame)

    identify_in_frame(page, "jose")
    found["IA's frame, counting down"] = blocking(frame)

    phone.goto(f"{stack.sandbox_url}/app")
    found["/app"] = blocking(phone)

    phone.goto(f"{stack.sandbox_url}/app/jose")
    expect(phone.get_by_role("button", name="Approve")).to_be_visible()
    found["/app/jose, with a payment to approve"] = blocking(phone)

    phone.get_by_role("button", name="Approve").first.click()
    expect(page.locator("#ia-status")).to_contain_text("Paid $141.90")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_visible()
    found["/checkout, paid, offering to stay signed in"] = blocking(page)

    phone.goto(f"{stack.sandbox_url}/ledger")
    expect(phone.locator("table.ledger")).to_contain_text("jose")
    found["/ledger"] = blocking(phone)

    phone.goto(f"{stack.sandbox_url}/app/nobody")
    found["/app/nobody, no such account"] = blocking(phone)

    phone.goto(f"{stack.sandbox_url}/api/partner/authorize/view?client_id={CLIENT_ID}")
    expect(phone.get_by_role("button", name="Close")).to_be_visible()
    found["IA's frame, refusing an incomplete link"] = blocking(phone)

    _assert_none(found)


def test_the_portal_follows_the_system_until_the_toggle_is_used(
    browser: Browser, stack: Stack
):
    page = _context_page(browser, "dark", DESKTOP_WIDTH)
    open_portal(page, stack, "/")
    html = page.locator("html")
    expect(html).to_have_class(re.compile(r"\bdark\b"))

    page.get_by_role("button", name=THEME_TOGGLE).click()
    expect(html).to_have_class(re.compile(r"\blight\b"))

    # The choice outlives a reload, and the toggle takes it back.
    page.reload()
    expect(html).to_have_class(re.compile(r"\blight\b"))
    page.get_by_role("button", name=THEME_TOGGLE).click()
    expect(html).to_have_class(re.compile(r"\bdark\b"))
    page.context.close()


def test_keyboard_alone_signs_in(page: Page, phone: Page, stack: Stack):
    open_portal(page, stack, "/")
    button = page.get_by_role("button", name=SIGN_IN)
    expect(button).to_be_enabled()

    # Tab from the top of the page until the IA button has the focus.
    for _ in range(12):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    expect(button).to_be_focused()

    page.keyboard.press("Enter")
    frame = page.frame_locator(IA_FRAME)
    # IA's frame takes the focus, and its form the typing.
    expect(frame.get_by_label("Username or email")).to_be_focused()
    page.keyboard.type("ada")
    page.keyboard.press("Enter")
    expect(frame.get_by_role("button", name="Cancel")).to_be_focused()
    expect(frame.get_by_role("status")).to_contain_text(
        "Approve it on your IA app within"
    )
    answer_on_phone(phone, stack, "ada", "Approve")

    expect(page).to_have_url(re.compile(r"/profile$"))


def test_escape_in_ia_s_form_closes_the_frame_and_refocuses_the_button(
    page: Page, stack: Stack
):
    open_portal(page, stack, "/")
    page.get_by_role("button", name=SIGN_IN).click()
    login = page.frame_locator(IA_FRAME).get_by_label("Username or email")
    expect(login).to_be_focused()

    page.keyboard.press("Escape")

    expect(page.locator(IA_FRAME)).to_have_count(0)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_focused()
    expect(page.locator("#ia-status")).to_be_empty()


def _measure(document: Page | Frame) -> dict[str, Any]:
    return {"overflow": overflow(document), "cut off": cut_off(document)}


def test_every_page_fits_a_phone_s_width(browser: Browser, stack: Stack):
    page = _context_page(browser, "light", PHONE_WIDTH)
    phone = _context_page(browser, "light", PHONE_WIDTH)
    seen = {}

    for path in ("/", "/checkout", "/inspector"):
        open_portal(page, stack, path)
        seen[path] = _measure(page)
    for path, button in (("/", SIGN_IN), ("/checkout", PAY)):
        open_portal(page, stack, path)
        frame = _open_frame_with_panel(page, button)
        seen[f"{path} with IA's frame and the inspector panel"] = _measure(page)
        seen[f"IA's frame on {path}"] = _measure(frame)
        page.keyboard.press("Escape")

    # José: the longest name and email of the demo users.
    sign_in(page, phone, stack, "jose+demo@example.com", "jose")
    open_portal(page, stack, "/checkout")
    page.get_by_role("button", name=PAY).click()
    identify_in_frame(page, "jose")
    seen["IA's frame, counting down"] = _measure(_ia_frame(page))
    phone.goto(f"{stack.sandbox_url}/app/jose")
    approve = phone.get_by_role("button", name="Approve")
    expect(approve).to_be_visible()
    seen["/app/jose, with a payment to approve"] = _measure(phone)
    approve.click()
    expect(page.locator("#ia-status")).to_contain_text("Paid")
    for path in ("/profile", "/inspector"):
        open_portal(page, stack, path)
        seen[f"{path}, signed in"] = _measure(page)
    for path in ("/app", "/app/jose", "/ledger"):
        phone.goto(stack.sandbox_url + path)
        seen[path] = _measure(phone)
    page.context.close()
    phone.context.close()

    assert seen == {where: {"overflow": 0, "cut off": []} for where in seen}
