"""What a person sees when IA fails behind their approval, in Chromium.

The sandbox injects each fault into its token or user endpoint (switched on
through its test-only control route). The portal's callback then fails, IA's
frame tells the page, and the person reads one clear message: nobody is signed
in, nothing is paid, no row is half-written. Once IA is well the next try works.
The portal's side of each fault (its exact error, its one log line, its
retries) is checked without a browser in tests/portal/test_ia_faults.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import (
    PAY,
    PHONE,
    answer_on_phone,
    count_rows,
    fresh_page,
    identify,
    query,
    sign_in,
)
from tests.e2e.stack import ROOT, Stack, running_stack

SETTINGS = {
    "SANDBOX_TEST_CONTROLS": "true",
    # The portal gives up on IA after 1 s, long before IA's own callback
    # timeout (5 s): a delay fault is the portal's timeout, not the sandbox's.
    "IA_HTTP_TIMEOUT": "1",
    # A web build of its own: the portal's main stack may be running beside it.
    "REFLEX_WEB_WORKDIR": str(ROOT / ".web-test-faults"),
}
SIGN_IN_FAILED = "The partner site could not complete the sign-in. Please try again."
PAYMENT_FAILED = "The partner site could not complete the payment. Please try again."
# (endpoint, fault, the portal's one warning line)
FAULTS = [
    ("token", "delay:2", "IA did not answer the code exchange in time"),
    ("token", "500", "IA failed the code exchange (HTTP 500)"),
    ("token", "malformed", "IA's answer to the code exchange is not JSON"),
    ("token", "success_false", "IA's answer to the code exchange has no access token"),
    ("token", "form", "IA's answer to the code exchange is not JSON"),
    ("user", "delay:2", "IA did not answer the user fetch in time"),
    ("user", "500", "IA failed the user fetch (HTTP 500)"),
    ("user", "malformed", "IA's answer to the user fetch is not JSON"),
    (
        "user",
        "success_false",
        "IA did not return the user's data: User data items could not be retrieved",
    ),
    ("user", "form", "IA's answer to the user fetch is not JSON"),
]
TABLES = ("ia_user", "ia_callback", "portal_session", "profile_change")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("faults")
    with running_stack(workdir, settings=SETTINGS) as running:
        yield running


@pytest.fixture
def ia(faulty: Stack) -> Iterator[httpx.Client]:
    """The sandbox's fault controls; every test ends with IA well again."""
    with httpx.Client(base_url=faulty.sandbox_url, trust_env=False) as client:
        yield client
        client.delete("/_sandbox/faults").raise_for_status()


@pytest.fixture
def tab(browser: Browser, faulty: Stack) -> Iterator[Page]:
    yield from fresh_page(browser)


@pytest.fixture
def device(browser: Browser, faulty: Stack) -> Iterator[Page]:
    yield from fresh_page(browser, PHONE)


def _set_fault(ia: httpx.Client, endpoint: str, fault: str) -> None:
    answer = ia.post("/_sandbox/faults", json={"endpoint": endpoint, "fault": fault})
    assert answer.json() == {"faults": {endpoint: fault}}


def _counts(stack: Stack) -> dict[str, int]:
    return {table: count_rows(stack, table) for table in TABLES}


def _portal_warnings(stack: Stack) -> list[str]:
    text = stack.logs["portal"].read_text(errors="replace")
    return re.findall(r" WARNING ia_portal\.routes: (.*)", text)


@pytest.mark.parametrize(("endpoint", "fault", "cause"), FAULTS)
def test_a_fault_behind_a_sign_in_shows_one_message_and_the_next_try_works(
    tab: Page,
    device: Page,
    faulty: Stack,
    ia: httpx.Client,
    endpoint: str,
    fault: str,
    cause: str,
):
    before, warned = _counts(faulty), len(_portal_warnings(faulty))
    _set_fault(ia, endpoint, fault)

    identify(tab, faulty, "ada")
    answer_on_phone(device, faulty, "ada", "Approve")

    expect(tab.locator("#ia-status")).to_have_text(SIGN_IN_FAILED)
    expect(
        tab.get_by_role("button", name="Sign in with Instant Access")
    ).to_be_visible()
    expect(tab.locator("iframe[title='Instant Access']")).to_have_count(0)
    expect(tab.get_by_role("button", name="Sign out")).to_have_count(0)
    assert _counts(faulty) == before
    assert _portal_warnings(faulty)[warned:] == [f"callback failed: {cause}"]
    assert query(faulty, "SELECT status FROM ia_attempt ORDER BY rowid DESC")[0] == (
        "denied",
    )

    ia.delete("/_sandbox/faults").raise_for_status()
    sign_in(tab, device, faulty, "ada", "ada")
    expect(tab.locator("#profile")).to_contain_text("Ada Lovelace")


def test_a_fault_behind_a_payment_pays_nothing_and_the_next_try_pays_once(
    tab: Page, device: Page, faulty: Stack, ia: httpx.Client
):
    _set_fault(ia, "token", "500")

    identify(tab, faulty, "grace", "/checkout", PAY)
    answer_on_phone(device, faulty, "grace", "Approve")

    expect(tab.locator("#ia-status")).to_have_text(PAYMENT_FAILED)
    expect(tab.get_by_role("button", name=PAY)).to_be_visible()
    latest = "SELECT status, amount_minor FROM payment ORDER BY rowid DESC"
    assert query(faulty, latest)[0] == ("denied", 14190)

    ia.delete("/_sandbox/faults").raise_for_status()
    identify(tab, faulty, "grace", "/checkout", PAY)
    answer_on_phone(device, faulty, "grace", "Approve")
    expect(tab.locator("#ia-status")).to_have_text(
        "Paid $141.90. Thank you, Grace Hopper!"
    )
    assert query(faulty, latest)[:2] == [("paid", 14190), ("denied", 14190)]
