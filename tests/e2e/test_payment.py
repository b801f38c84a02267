"""Paying with Instant Access in Chromium, against the running sandbox."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    PAY,
    answer_on_phone,
    count_rows,
    identify,
    open_portal,
    query,
    sign_in,
)
from tests.e2e.stack import Stack

# 2 × 4.50 + 12.90 + 120.00
BASKET_TOTAL = "$141.90"


def _pay(page: Page, phone: Page, stack: Stack, login: str, user: str) -> None:
    frame = identify(page, stack, login, "/checkout", PAY)
    expect(frame.get_by_text("141.90")).to_be_visible()
    answer_on_phone(phone, stack, user, "Approve")


def test_signed_in_payment_is_paid_and_listed(page: Page, phone: Page, stack: Stack):
    sign_in(page, phone, stack, "ada", "ada")
    open_portal(page, stack, "/checkout")
    expect(page.locator("#total")).to_have_text(BASKET_TOTAL)

    _pay(page, phone, stack, "ada", "ada")

    expect(page.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Ada Lovelace!"
    )
    open_portal(page, stack, "/profile")
    row = page.locator("#payments tbody tr").first
    expect(row).to_contain_text("$141.90")
    expect(row).to_contain_text("paid")


def test_denied_payment_is_not_paid(page: Page, phone: Page, stack: Stack):
    identify(page, stack, "jose", "/checkout", PAY)
    answer_on_phone(phone, stack, "jose", "Deny")

    expect(page.locator("#ia-status")).to_contain_text(re.compile("denied", re.I))
    expect(page.get_by_role("button", name=PAY)).to_be_visible()
    assert query(stack, "SELECT status FROM payment ORDER BY created_at DESC")[0] == (
        "denied",
    )


def test_signed_out_payer_may_stay_signed_in(page: Page, phone: Page, stack: Stack):
    _pay(page, phone, stack, "grace", "grace")

    expect(page.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Grace Hopper!"
    )
    page.get_by_role("button", name="Stay signed in").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#profile")).to_contain_text("Grace Hopper")
    expect(page.locator("#payments")).to_contain_text("$141.90")


def test_tip_is_parsed_and_ambiguous_amounts_are_refused(page: Page, stack: Stack):
    open_portal(page, stack, "/checkout")
    tip = page.get_by_label(re.compile("Add a tip"))

    tip.fill("2,50")
    expect(page.locator("#total")).to_have_text("$144.40")

    tip.fill("1,234")
    expect(page.locator("#tip-error")).to_have_text(
        "'1,234' is ambiguous: write 1234 or 1.234"
    )
    payments = count_rows(stack, "payment")
    page.get_by_role("button", name=PAY).click()
    expect(page.locator("#ia-status")).to_have_text(
        "Cannot pay this amount: '1,234' is ambiguous: write 1234 or 1.234."
    )
    expect(page.locator("iframe[title='Instant Access']")).to_have_count(0)
    assert count_rows(stack, "payment") == payments


def test_double_click_opens_one_payment(page: Page, stack: Stack):
    open_portal(page, stack, "/checkout")
    payments = count_rows(stack, "payment")

    page.get_by_role("button", name=PAY).dblclick()

    expect(page.locator("iframe[title='Instant Access']")).to_be_visible()
    page.wait_for_timeout(500)
    assert count_rows(stack, "payment") == payments + 1


def test_reload_during_a_payment_cancels_it_and_the_next_one_pays_once(
    page: Page, phone: Page, stack: Stack
):
    identify(page, stack, "ada", "/checkout", PAY)

    page.reload()

    expect(page.locator("#ia-status")).to_contain_text("reloaded")
    assert query(stack, "SELECT status FROM payment ORDER BY created_at DESC")[0] == (
        "cancelled",
    )
    # The IA frame withdrew its request as it went: nothing left to approve.
    phone.goto(f"{stack.sandbox_url}/app/ada")
    expect(phone.get_by_role("button", name="Approve")).to_have_count(0)

    _pay(page, phone, stack, "ada", "ada")
    expect(page.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Ada Lovelace!"
    )
    assert query(stack, "SELECT status FROM payment ORDER BY created_at DESC")[:2] == [
        ("paid",),
        ("cancelled",),
    ]


def test_a_zero_tip_is_fine_and_an_excessive_total_is_refused_as_typed(
    page: Page, stack: Stack
):
    open_portal(page, stack, "/checkout")
    tip = page.get_by_label(re.compile("Add a tip"))

    tip.fill("0")
    expect(page.locator("#total")).to_have_text(BASKET_TOTAL)
    expect(page.locator("#tip-error")).to_have_text("")

    tip.fill("9858.11")
    expect(page.locator("#tip-error")).to_have_text(
        "The amount must be at most $10,000.00"
    )
    expect(tip).to_have_attribute("aria-invalid", "true")
