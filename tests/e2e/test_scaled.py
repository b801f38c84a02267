"""Two backend workers sharing Redis and PostgreSQL: nothing lives in one of them.

The browser's websocket is on the *socket* worker, IA's callbacks go to the
*callback* worker (tests/e2e/scaled_stack.py). A sign-in, a payment and a
profile change each cross from one to the other; restarting either worker in
the middle of a flow loses nothing, because the tab's state is in Redis and
everything else in the database. Run by `make test-scaled`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.flows import (
    PAY,
    PHONE,
    SIGN_IN,
    answer_on_phone,
    fresh_page,
    identify_in_frame,
)
from tests.e2e.scaled_stack import POSTGRES, REDIS, ScaledStack, running_scaled_stack

pytestmark = pytest.mark.skipif(
    not (POSTGRES and REDIS),
    reason="needs PORTAL_TEST_POSTGRES and PORTAL_TEST_REDIS: run make test-scaled",
)

# IA's frame asks the sandbox for its request's outcome at this path.
FRAME_POLL = "**/api/partner/authorize/request/*"
HYDRATED = '"is_hydrated_rx_state_":true'


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledStack]:
    with running_scaled_stack(tmp_path_factory.mktemp("scaled")) as running:
        yield running


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    yield from fresh_page(browser, timeout_ms=30_000)


@pytest.fixture
def device(browser: Browser) -> Iterator[Page]:
    yield from fresh_page(browser, PHONE, timeout_ms=30_000)


def _open(tab: Page, stack: ScaledStack, path: str = "/") -> None:
    """Open a portal page and wait until the backend has hydrated its state.

    The production build's HTML is prerendered, so the page shows before its
    scripts run, and a click before the state arrives over the socket is lost.
    """
    hydrated: list[bool] = []

    def watch(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: hydrated.append(HYDRATED in str(payload)),
        )

    tab.on("websocket", watch)
    tab.goto(stack.portal_url + path)
    deadline = time.monotonic() + 60
    while not any(hydrated):
        assert time.monotonic() < deadline, f"{path} was not hydrated"
        tab.wait_for_timeout(100)
    tab.remove_listener("websocket", watch)


def _press(tab: Page, stack: ScaledStack, path: str, button: str, login: str):
    _open(tab, stack, path)
    tab.get_by_role("button", name=button).click()
    return identify_in_frame(tab, login)


def _sign_in(tab: Page, device: Page, stack: ScaledStack, user: str) -> None:
    _press(tab, stack, "/", SIGN_IN, user)
    answer_on_phone(device, stack, user, "Approve")
    expect(tab).to_have_url(re.compile(r"/profile$"))


def _log_count(stack: ScaledStack, worker: str, line: str) -> int:
    return stack.worker_log(worker).count(line)


def _callbacks(stack: ScaledStack) -> int:
    return int(stack.query("SELECT count(*) FROM ia_callback")[0][0])


def _latest_payment(stack: ScaledStack) -> tuple:
    return stack.query(
        "SELECT p.status, p.amount_minor, a.status FROM payment p"
        " JOIN ia_attempt a ON a.id = p.attempt_id ORDER BY p.created_at DESC LIMIT 1"
    )[0]


def _approve_with_success_held(tab: Page, device: Page, stack: ScaledStack, user: str):
    """Approve on the phone, keeping IA's success from the page until released.

    The frame learns the outcome by polling the sandbox; aborting those polls
    holds the success message back while IA's callback goes through.
    """
    tab.context.route(FRAME_POLL, lambda route: route.abort())
    callbacks = _callbacks(stack)
    answer_on_phone(device, stack, user, "Approve")
    deadline = time.monotonic() + 15
    while _callbacks(stack) != callbacks + 1:
        assert time.monotonic() < deadline, "IA's callback did not arrive"
        tab.wait_for_timeout(200)


def _restart(stack: ScaledStack, worker: str, how: str = "stopped") -> None:
    """Stop a worker cleanly ("stopped") or kill it ("killed"), then start it."""
    assert stack.stop_worker and stack.kill_worker and stack.start_worker
    if how == "killed":
        stack.kill_worker(worker)
    else:
        stack.stop_worker(worker)
    stack.start_worker(worker)


def test_a_sign_in_whose_callback_reached_the_other_worker_signs_the_tab_in(
    tab: Page, device: Page, scaled: ScaledStack
):
    received = "callback received for IA user 1"
    before = {worker: _log_count(scaled, worker, received) for worker in scaled.logs}

    _sign_in(tab, device, scaled, "ada")

    expect(tab.locator("#profile")).to_contain_text("Ada Lovelace")
    after = {worker: _log_count(scaled, worker, received) for worker in scaled.logs}
    assert after["callback"] == before["callback"] + 1
    assert after["socket"] == before["socket"] == 0


def test_a_profile_change_posted_to_the_other_worker_appears_in_the_open_tab(
    tab: Page, device: Page, scaled: ScaledStack
):
    _sign_in(tab, device, scaled, "jose")
    hint = "profile hint received for IA user 2"
    hints = _log_count(scaled, "callback", hint)

    device.goto(f"{scaled.sandbox_url}/app/jose")
    device.get_by_label("Phone").fill("+34 622 000 001")
    device.get_by_role("button", name="Save").click()

    # No reload: the callback worker's push reaches the socket worker's tab.
    expect(tab.locator("#profile")).to_contain_text("+34 622 000 001")
    assert _log_count(scaled, "callback", hint) == hints + 1
    assert _log_count(scaled, "socket", hint) == 0


def test_a_payment_approved_through_the_other_worker_is_paid_once(
    tab: Page, device: Page, scaled: ScaledStack
):
    frame = _press(tab, scaled, "/checkout", PAY, "grace")
    expect(frame.get_by_text("141.90")).to_be_visible()

    answer_on_phone(device, scaled, "grace", "Approve")

    expect(tab.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Grace Hopper!"
    )
    assert _latest_payment(scaled) == ("paid", 14190, "confirmed")


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_restart_of_the_socket_worker_mid_payment_loses_nothing(
    tab: Page, device: Page, scaled: ScaledStack, how: str
):
    # A signed-out payer: with one in-process worker this payment would be
    # cancelled by the restart, its tab's state gone with the process. A
    # killed worker also leaves its claim on the tab's socket in Redis.
    frame = _press(tab, scaled, "/checkout", PAY, "ada")
    expect(frame.get_by_text("141.90")).to_be_visible()
    _approve_with_success_held(tab, device, scaled, "ada")

    _restart(scaled, "socket", how)
    tab.context.unroute(FRAME_POLL)

    expect(tab.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Ada Lovelace!"
    )
    assert _latest_payment(scaled) == ("paid", 14190, "confirmed")
    # The tab still offers what the proof allows: to stay signed in as Ada.
    tab.get_by_role("button", name=re.compile("Stay signed in")).click()
    expect(tab.locator("#profile")).to_contain_text("Ada Lovelace")


def test_a_restart_of_the_callback_worker_mid_sign_in_loses_nothing(
    tab: Page, device: Page, scaled: ScaledStack
):
    _press(tab, scaled, "/", SIGN_IN, "grace")

    _restart(scaled, "callback")
    answer_on_phone(device, scaled, "grace", "Approve")

    expect(tab).to_have_url(re.compile(r"/profile$"))
    expect(tab.locator("#profile")).to_contain_text("Grace Hopper")


def test_after_a_restart_of_the_socket_worker_a_profile_change_still_arrives(
    tab: Page, device: Page, scaled: ScaledStack
):
    _sign_in(tab, device, scaled, "jose")

    _restart(scaled, "socket")
    device.goto(f"{scaled.sandbox_url}/app/jose")
    device.get_by_label("Phone").fill("+34 633 000 002")
    device.get_by_role("button", name="Save").click()

    expect(tab.locator("#profile")).to_contain_text("+34 633 000 002")
