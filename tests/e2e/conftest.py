"""Browser fixtures: the running stack, Debian's Chromium via Playwright, a phone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.stack import Stack, running_stack

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("No Chromium: install it (make test does) or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=_chromium_path(), args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A fresh browser profile (no session) on the portal."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser, stack: Stack) -> Iterator[Page]:
    """The user's phone: the sandbox's IA app page, in a browser of its own."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()
