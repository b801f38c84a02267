"""Signing in with Instant Access in Chromium, against the running sandbox."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    SIGN_IN,
    answer_on_phone,
    count_rows,
    identify,
    open_portal,
    sign_in,
)
from tests.e2e.stack import Stack


def test_ada_signs_in_and_sees_her_profile(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "ada", "ada")

    profile = page.locator("#profile")
    expect(profile).to_contain_text("Ada Lovelace")
    expect(profile).to_contain_text("ada@example.com")
    expect(profile).to_contain_text("+44 20 7946 0018")
    expect(profile).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"))


def test_jose_by_email_keeps_name_and_plus_intact(
    page: Page, phone: Page, stack: Stack
):
    sign_in(page, phone, stack, "jose+demo@example.com", "jose")

    profile = page.locator("#profile")
    expect(profile).to_contain_text("José Ñandú")
    expect(profile).to_contain_text("jose+demo@example.com")


def test_grace_without_phone(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "grace", "grace")
    expect(page.locator("#profile")).to_contain_text("Grace Hopper")
    expect(page.locator("#profile")).not_to_contain_text("+")


def test_deny_shows_why_and_brings_the_button_back(
    page: Page, phone: Page, stack: Stack
):
    sessions_before = count_rows(stack, "portal_session")
    identify(page, stack, "ada")
    answer_on_phone(phone, stack, "ada", "Deny")

    expect(page.locator("#ia-status")).to_contain_text(re.compile("denied", re.I))
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/profile$"))
    assert count_rows(stack, "portal_session") == sessions_before


def test_no_answer_times_out(page: Page, stack: Stack):
    identify(page, stack, "grace")

    status = page.locator("#ia-status")
    expect(status).to_contain_text(re.compile("time|answer", re.I), timeout=30_000)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()


def test_reload_and_a_new_tab_keep_the_session(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "ada", "ada")

    page.reload()
    expect(page.locator("#profile")).to_contain_text("Ada Lovelace")

    # A new tab starts with fresh server state: only the database knows it.
    second = page.context.new_page()
    open_portal(second, stack, "/profile")
    expect(second.locator("#profile")).to_contain_text("Ada Lovelace")


def test_sign_out_ends_the_session(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "grace", "grace")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()

    open_portal(page, stack, "/profile")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()


def test_escape_in_the_frame_closes_it(page: Page, stack: Stack):
    frame = identify(page, stack, "ada")

    frame.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Escape")

    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_focused()
