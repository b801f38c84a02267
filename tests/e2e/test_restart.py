"""A restart of the portal's backend while IA sends a change loses nothing.

The stack here runs the portal's frontend and backend as two processes, so the
backend alone can restart (as in a deploy) under an open page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import sign_in
from tests.e2e.stack import Stack, running_stack


@pytest.fixture(scope="module")
def split_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("split"), split=True) as running:
        yield running


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def device(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_a_change_made_while_the_backend_is_down_arrives_with_refresh(
    tab: Page, device: Page, split_stack: Stack
):
    stack = split_stack
    assert stack.stop_backend and stack.start_backend
    sign_in(tab, device, stack, "jose", "jose")

    stack.stop_backend()
    device.goto(f"{stack.sandbox_url}/app/jose")
    device.get_by_label("Phone").fill("+34 699 000 111")
    device.get_by_role("button", name="Save").click()
    expect(device.get_by_text(re.compile("could not be told"))).to_be_visible()
    stack.start_backend()

    # The hint was lost with the backend; IA still holds the change.
    tab.get_by_role("button", name="Refresh from Instant Access").click()
    expect(tab.locator("#profile")).to_contain_text("+34 699 000 111")
    expect(tab.locator("#profile")).to_contain_text(
        "Your profile was updated from Instant Access."
    )
