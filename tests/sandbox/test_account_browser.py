"""The phone's account section in a real browser: edit the profile, revoke.

The browser is the shared fixture of `tests/conftest.py`; the partner signs
the user in over HTTP first, as the portal would.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox_harness import Partner, sign_in

# Set to a folder to keep a screenshot of each step, for a person to look at.
SHOTS = os.environ.get("SANDBOX_TEST_SCREENSHOTS")


@pytest.fixture
def phone_of(
    browser: Any, live_sandbox: str, partner: Partner
) -> Iterator[Callable[[str], tuple[Any, httpx.Client]]]:
    """Open ``/app/{username}`` after signing the user in to the partner."""
    contexts: list[Any] = []
    clients: list[httpx.Client] = []

    def open_phone(username: str) -> tuple[Any, httpx.Client]:
        sandbox = httpx.Client(base_url=live_sandbox, trust_env=False)
        clients.append(sandbox)
        sign_in(sandbox, partner, username)
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_sandbox}/app/{username}")
        return page, sandbox

    yield open_phone
    for context in contexts:
        context.close()
    for client in clients:
        client.close()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_editing_the_phone_saves_it_and_tells_the_partner(
    phone_of: Any, partner: Partner
) -> None:
    page, _sandbox = phone_of("jose")

    page.get_by_label("Phone").fill("+34 611 222 333")
    page.get_by_role("button", name="Save", exact=True).click()

    status = page.locator("#profile-status")
    status.get_by_text("Saved. IA Portal (demo) was told.").wait_for()
    _shot(page, "profile-saved")
    assert page.locator("#summary").inner_text() == (
        "jose · jose+demo@example.com · +34 611 222 333"
    )
    assert [post.body for post in partner.posts] == ["user_id=2"]


def test_an_invalid_email_is_shown_next_to_the_form(
    phone_of: Any, partner: Partner
) -> None:
    page, _sandbox = phone_of("jose")

    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Save", exact=True).click()

    alert = page.locator("#profile").get_by_role("alert")
    alert.get_by_text("Enter an email address").wait_for()
    _shot(page, "profile-invalid")
    assert alert.inner_text() == "Enter an email address like name@example.com."
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert partner.posts == []


def test_revoking_hides_the_button_until_the_next_sign_in(
    phone_of: Any, partner: Partner
) -> None:
    page, sandbox = phone_of("ada")
    revoke = page.get_by_role("button", name="Revoke access")
    assert page.get_by_text("IA Portal (demo) can read your profile.").is_visible()
    _shot(page, "access-before")

    revoke.click()

    page.get_by_text("Access revoked. IA Portal (demo) was told.").wait_for()
    revoke.wait_for(state="hidden")
    _shot(page, "access-revoked")
    assert page.get_by_text("No site can read your profile.").is_visible()
    assert [post.body for post in partner.posts] == ["user_id=1"]

    # A new sign-in: the page's polling brings the button back.
    sign_in(sandbox, partner, "ada")
    revoke.wait_for(state="visible", timeout=5000)
    _shot(page, "access-again")
