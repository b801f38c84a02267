"""Fixtures every test folder shares: one Playwright driver and one Chromium.

Playwright's sync API keeps one event loop for its whole life, so the whole
run shares one driver and one browser instead of starting one per folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Lookalike hosts for the forged-message tests resolve to this machine.
    "--host-resolver-rules=MAP *.evil.test 127.0.0.1",
    "--ignore-certificate-errors",
]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("No Chromium: install it (make test does) or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    launched = playwright.chromium.launch(
        executable_path=_chromium_path(), args=CHROMIUM_FLAGS
    )
    yield launched
    launched.close()
