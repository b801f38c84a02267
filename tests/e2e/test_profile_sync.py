"""Profile changes and revocation on IA reach an open portal tab by themselves."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.flows import open_portal, sign_in
from tests.e2e.stack import Stack

REVOKED = "Access revoked — sign in again with Instant Access."


def test_a_phone_changed_on_ia_appears_in_the_open_tab(
    page: Page, phone: Page, stack: Stack
):
    sign_in(page, phone, stack, "jose", "jose")
    expect(page.locator("#profile")).to_contain_text("+34 600 000 123")

    phone.goto(f"{stack.sandbox_url}/app/jose")
    phone.get_by_label("Phone").fill("+34 611 222 333")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved. IA Portal (tests) was told.")).to_be_visible()

    # No reload: the backend pushes the new profile to this tab.
    expect(page.locator("#profile")).to_contain_text("+34 611 222 333")


def test_revoking_access_shows_in_the_tab_and_a_new_sign_in_restores_it(
    page: Page, phone: Page, stack: Stack
):
    sign_in(page, phone, stack, "grace", "grace")

    phone.goto(f"{stack.sandbox_url}/app/grace")
    phone.get_by_role("button", name="Revoke access").click()

    expect(page.locator("#revoked")).to_contain_text(REVOKED)
    expect(
        page.get_by_role("button", name="Refresh from Instant Access")
    ).to_be_disabled()

    sign_in(page, phone, stack, "grace", "grace")
    expect(page.locator("#profile")).to_contain_text("Grace Hopper")
    expect(page.locator("#revoked")).to_have_count(0)


def test_refresh_reports_how_it_went(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "ada", "ada")
    open_portal(page, stack, "/profile")

    page.get_by_role("button", name="Refresh from Instant Access").click()

    expect(page.locator("#profile")).to_contain_text(
        re.compile("Your profile is up to date with Instant Access.")
    )
