"""The integrator guide's example app (examples/ia_button_app.py) really works.

It runs as the Reflex app of a stack of its own, beside the IA sandbox, and
signs a person in from start to end in Chromium.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import SIGN_IN, answer_on_phone, identify
from tests.e2e.stack import ROOT, Stack, running_stack

EXAMPLE = {
    "REFLEX_APP_MODULE_IMPORT": "examples.ia_button_app",
    # A web build of its own: the portal's stack may be running beside it.
    "REFLEX_WEB_WORKDIR": str(ROOT / ".web-test-example"),
}


LOCK_DIR = ROOT / "reflex.lock"


@contextlib.contextmanager
def _portal_lockfiles_kept() -> Iterator[Callable[[], None]]:
    """Put the portal's `reflex.lock/` back after the example's build changed it.

    Reflex writes the frontend packages of the app it builds into `reflex.lock/`
    of the working directory. The example needs fewer (no Mermaid), so its build
    would drop the portal's from the committed lockfile, and stacks started
    after it would build the portal without them.
    """
    kept = {path: path.read_bytes() for path in LOCK_DIR.iterdir() if path.is_file()}

    def restore() -> None:
        for path in LOCK_DIR.iterdir():
            if path.is_file() and path not in kept:
                path.unlink()
        for path, content in kept.items():
            path.write_bytes(content)

    try:
        yield restore
    finally:
        restore()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("example")
    with (
        _portal_lockfiles_kept() as restore,
        running_stack(workdir, settings=EXAMPLE) as running,
    ):
        restore()  # at once: a stack may start beside this one
        yield running


def _page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(browser: Browser, example: Stack) -> Iterator[Page]:
    """A fresh browser profile on the example app."""
    yield from _page(browser)


@pytest.fixture
def phone(browser: Browser, example: Stack) -> Iterator[Page]:
    """The phone, for this module's stack only (not the portal's)."""
    yield from _page(browser)


def test_the_example_greets_ada_once_her_approval_is_proven(
    tab: Page, phone: Page, example: Stack
):
    identify(tab, example, "ada")
    answer_on_phone(phone, example, "ada", "Approve")

    expect(tab.get_by_role("status")).to_have_text("Hello, Ada Lovelace!")
    expect(tab.get_by_role("button", name=SIGN_IN)).to_be_visible()


def test_the_example_passes_on_ia_s_reason_for_a_denial(
    tab: Page, phone: Page, example: Stack
):
    identify(tab, example, "grace")
    answer_on_phone(phone, example, "grace", "Deny")

    expect(tab.get_by_role("status")).to_have_text(
        "The request was denied in the Instant Access app."
    )
    expect(tab.get_by_role("button", name=SIGN_IN)).to_be_visible()
