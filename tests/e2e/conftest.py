"""Browser-test fixtures: the running stack, a fresh profile, and the phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.flows import PHONE, fresh_page
from tests.e2e.stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A fresh browser profile (no session) on the portal."""
    yield from fresh_page(browser)


@pytest.fixture
def phone(browser: Browser, stack: Stack) -> Iterator[Page]:
    """The user's phone: the sandbox's IA app page, in a browser of its own."""
    yield from fresh_page(browser, PHONE)
