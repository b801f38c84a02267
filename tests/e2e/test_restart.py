"""A restart of the portal's backend in the middle of a flow loses nothing.

The stack here runs the portal's frontend and backend as two processes, so the
backend alone restarts (as in a deploy) under an open page. `reflex run` starts
with no saved tab states, so the page comes back without its open frame: the
flow must then complete from what the database holds, or end with a message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import (
    PAY,
    PHONE,
    SIGN_IN,
    answer_on_phone,
    count_rows,
    fresh_page,
    identify,
    query,
    sign_in,
)
from tests.e2e.stack import Stack, running_stack

# IA's frame asks the sandbox for its request's outcome at this path.
FRAME_POLL = "**/api/partner/authorize/request/*"
INTERRUPTED = (
    "The portal restarted while Instant Access was open, so the request was "
    "cancelled. Start again."
)


@pytest.fixture(scope="module")
def split_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("split"), split=True) as running:
        yield running


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    yield from fresh_page(browser, timeout_ms=30_000)


@pytest.fixture
def device(browser: Browser) -> Iterator[Page]:
    yield from fresh_page(browser, PHONE, timeout_ms=30_000)


def _approve_with_success_held(tab: Page, device: Page, stack: Stack, user: str):
    """Approve on the phone, but keep IA's success from the page until released.

    The frame learns the outcome by polling the sandbox; aborting those polls
    holds the success message back while IA's callback goes through.
    """
    tab.context.route(FRAME_POLL, lambda route: route.abort())
    callbacks = count_rows(stack, "ia_callback")
    answer_on_phone(device, stack, user, "Approve")
    deadline = time.monotonic() + 15
    while count_rows(stack, "ia_callback") != callbacks + 1:
        assert time.monotonic() < deadline, "IA's callback did not arrive"
        tab.wait_for_timeout(200)


def _restart_backend(stack: Stack) -> None:
    assert stack.stop_backend and stack.start_backend
    stack.stop_backend()
    stack.start_backend()


def _latest(stack: Stack, sql: str) -> tuple:
    return query(stack, sql + " ORDER BY rowid DESC LIMIT 1")[0]


def test_a_restart_before_the_success_ends_the_sign_in_with_a_message(
    tab: Page, device: Page, split_stack: Stack
):
    stack = split_stack
    identify(tab, stack, "ada")
    _approve_with_success_held(tab, device, stack, "ada")

    _restart_backend(stack)
    tab.context.unroute(FRAME_POLL)

    expect(tab.locator("#ia-status")).to_have_text(INTERRUPTED)
    expect(tab.get_by_role("button", name=SIGN_IN)).to_be_visible()
    assert _latest(stack, "SELECT status FROM ia_attempt") == ("closed",)
    # Nobody was signed in on the lost approval; IA's callback is left unused.
    assert _latest(stack, "SELECT claimed_by_attempt FROM ia_callback") == (None,)
    assert count_rows(stack, "portal_session") == 0

    sign_in(tab, device, stack, "ada", "ada")
    expect(tab.locator("#profile")).to_contain_text("Ada Lovelace")


def test_a_restart_before_the_success_still_pays_for_a_signed_in_payer(
    tab: Page, device: Page, split_stack: Stack
):
    stack = split_stack
    sign_in(tab, device, stack, "jose", "jose")
    frame = identify(tab, stack, "jose", "/checkout", PAY)
    expect(frame.get_by_text("141.90")).to_be_visible()
    _approve_with_success_held(tab, device, stack, "jose")

    _restart_backend(stack)
    tab.context.unroute(FRAME_POLL)

    # The page lost its frame, but the signed-in payer's own approval callback
    # proves the payment: it is paid once, as IA's ledger has it.
    expect(tab.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, José Ñandú!"
    )
    assert _latest(stack, "SELECT status, amount_minor FROM payment") == (
        "paid",
        14190,
    )
    assert _latest(stack, "SELECT status FROM ia_attempt") == ("confirmed",)


def test_a_restart_before_the_success_cancels_a_signed_out_payment_with_a_message(
    tab: Page, device: Page, split_stack: Stack
):
    stack = split_stack
    frame = identify(tab, stack, "grace", "/checkout", PAY)
    expect(frame.get_by_text("141.90")).to_be_visible()
    _approve_with_success_held(tab, device, stack, "grace")

    _restart_backend(stack)
    tab.context.unroute(FRAME_POLL)

    expect(tab.locator("#ia-status")).to_have_text(INTERRUPTED)
    expect(tab.get_by_role("button", name=PAY)).to_be_visible()
    assert _latest(stack, "SELECT status, amount_minor FROM payment") == (
        "cancelled",
        14190,
    )


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

    # The hint was lost with the backend; IA still holds the change. The click
    # waits in the page until its websocket is back, which on a loaded machine
    # takes longer than expect's 5 s (seen beside a CI run).
    tab.get_by_role("button", name="Refresh from Instant Access").click()
    expect(tab.locator("#profile")).to_contain_text("+34 699 000 111", timeout=30_000)
    expect(tab.locator("#profile")).to_contain_text(
        "Your profile was updated from Instant Access."
    )
