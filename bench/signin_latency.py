"""Sign-in latency: from pressing Approve on the phone to the profile shown.

The portal runs as deployed (prod mode) beside its floor: a bare page
(`floor_page.html`, served with a sandbox of its own by `common.floor_site`)
that embeds IA's frame and only shows the status of IA's message. Rounds
alternate between the two, each in a fresh browser profile of one Chromium;
the phone is a page of its own.

Usage: `.venv/bin/python -m bench.signin_latency [ROUNDS]` (from `make bench`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Browser, Page, expect

from bench.common import (
    Figure,
    Floor,
    chromium,
    floor_site,
    machine,
    open_live,
    percentile,
    portal_stack,
    table,
)
from tests.e2e.flows import SIGN_IN, identify_in_frame
from tests.e2e.stack import Stack

FLOOR_IS = "a bare page taking IA's message"
USER = "ada"
TIMEOUT_MS = 60_000


# Both ends are timed inside the pages, by the one system clock (Date.now):
# Playwright's own waits poll at growing intervals (up to half a second),
# which would round every figure up to its next poll.
WATCH_TEXT = """([selector, text]) => {
  window.__shownAt = null;
  const check = () => {
    const found = document.querySelector(selector);
    if (window.__shownAt === null && found && found.textContent.includes(text)) {
      window.__shownAt = 0;
      // The frame that paints it: what a person sees.
      requestAnimationFrame(() => { window.__shownAt = Date.now(); });
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, characterData: true,
  });
  check();
}"""
WATCH_CLICK = """() => {
  window.__clickedAt = null;
  document.addEventListener("click", () => { window.__clickedAt = Date.now(); },
                            { capture: true, once: true });
}"""


def _approve(phone: Page, sandbox_url: str) -> None:
    """Press Approve on the user's request, noting when the click landed."""
    phone.goto(f"{sandbox_url}/app/{USER}")
    approve = phone.get_by_role("button", name="Approve").first
    approve.wait_for()
    phone.evaluate(WATCH_CLICK)
    approve.click()


def _seconds(page: Page, phone: Page) -> float:
    """From the Approve click on the phone to the text shown on `page`."""
    page.wait_for_function("() => window.__shownAt > 0", timeout=TIMEOUT_MS)
    shown = page.evaluate("() => window.__shownAt")
    clicked = phone.evaluate("() => window.__clickedAt")
    return float(shown - clicked) / 1000


def portal_round(browser: Browser, phone: Page, stack: Stack) -> float:
    """One sign-in on the portal: seconds from Approve to the profile shown."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    open_live(page, stack.portal_url)
    page.get_by_role("button", name=SIGN_IN).click()
    identify_in_frame(page, USER)
    page.evaluate(WATCH_TEXT, ["#profile", "Ada Lovelace"])

    _approve(phone, stack.sandbox_url)
    expect(page.locator("#profile")).to_contain_text("Ada Lovelace", timeout=TIMEOUT_MS)
    seconds = _seconds(page, phone)
    context.close()
    return seconds


def floor_round(browser: Browser, phone: Page, floor: Floor) -> float:
    """One sign-in on the bare page: seconds from Approve to `success` shown."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{floor.page_url}/?frame={quote(floor.frame_url, safe='')}")
    identify_in_frame(page, USER)
    page.evaluate(WATCH_TEXT, ["#outcome", "success"])

    _approve(phone, floor.sandbox_url)
    expect(page.locator("#outcome")).to_have_text("success", timeout=TIMEOUT_MS)
    seconds = _seconds(page, phone)
    context.close()
    return seconds


def measure(rounds: int) -> list[Figure]:
    """Sign in `rounds` times on each, alternating; p50 and p95 of each."""
    with (
        tempfile.TemporaryDirectory() as workdir,
        portal_stack(Path(workdir)) as stack,
        floor_site(Path(workdir) / "floor") as floor,
        chromium() as browser,
    ):
        phone = browser.new_page()
        # One round each first, unmeasured: the first page load of a process
        # pays for its imports and caches, which a running deployment has paid.
        portal_round(browser, phone, stack)
        floor_round(browser, phone, floor)
        portal, bare = [], []
        for _ in range(rounds):
            portal.append(portal_round(browser, phone, stack))
            bare.append(floor_round(browser, phone, floor))

    what = f"sign-in, Approve → profile shown, Chromium ({rounds} each)"
    return [
        Figure(
            f"{what}, p50",
            "s",
            percentile(portal, 0.5),
            percentile(bare, 0.5),
            FLOOR_IS,
        ),
        Figure(
            f"{what}, p95",
            "s",
            percentile(portal, 0.95),
            percentile(bare, 0.95),
            FLOOR_IS,
        ),
    ]


if __name__ == "__main__":
    figures = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    print(f"Machine: {machine()}\n")
    print(table(figures))
