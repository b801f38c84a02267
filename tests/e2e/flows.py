"""Steps a person takes, for the browser tests to combine."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from urllib.parse import quote

from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.e2e.stack import Stack

SIGN_IN = "Sign in with Instant Access"
PAY = "Pay with Instant Access"
# A desktop browser's width, and a phone's.
DESKTOP = 1100
PHONE = 390


def fresh_page(
    browser: Browser, width: int = DESKTOP, timeout_ms: int = 20_000
) -> Iterator[Page]:
    """A page in a browser profile of its own (no session), closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(timeout_ms)
    yield context.new_page()
    context.close()


def open_portal(page: Page, stack: Stack, path: str = "/") -> None:
    """Open a portal page and wait until it is live (hydrated, socket up)."""
    page.goto(stack.portal_url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)


def identify(
    page: Page, stack: Stack, login: str, path: str = "/", button: str = SIGN_IN
) -> FrameLocator:
    """Open `path`, press the IA button and type `login` into IA's frame."""
    open_portal(page, stack, path)
    page.get_by_role("button", name=button).click()
    return identify_in_frame(page, login)


def identify_in_frame(page: Page, login: str) -> FrameLocator:
    """Type `login` into the IA frame already open on the page."""
    frame = page.frame_locator("iframe[title='Instant Access']")
    frame.get_by_label("Username or email").fill(login)
    frame.get_by_role("button", name="Continue").click()
    expect(frame.get_by_text(re.compile("Approve the request", re.I))).to_be_visible()
    return frame


def answer_on_phone(phone: Page, stack: Stack, username: str, button: str) -> None:
    """On the IA app of `username`, press Approve or Deny on the pending request."""
    phone.goto(f"{stack.sandbox_url}/app/{quote(username, safe='')}")
    phone.get_by_role("button", name=button).first.click()


def sign_in(page: Page, phone: Page, stack: Stack, login: str, username: str) -> None:
    """The whole chain, ending on the profile page."""
    identify(page, stack, login)
    answer_on_phone(phone, stack, username, "Approve")
    expect(page).to_have_url(re.compile(r"/profile$"))


def count_rows(stack: Stack, table: str) -> int:
    with sqlite3.connect(stack.portal_db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def query(stack: Stack, sql: str) -> list[tuple]:
    """Rows of a read-only query on the portal's database."""
    with sqlite3.connect(stack.portal_db) as connection:
        return list(connection.execute(sql).fetchall())
