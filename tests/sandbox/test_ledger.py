"""The payment ledger: approved payments the partner accepted, and their totals."""

import re
from typing import Any

from sqlmodel import col, select
from starlette.testclient import TestClient

from ia_sandbox.db import session
from ia_sandbox.ledger import totals
from ia_sandbox.models import LedgerEntry
from tests.sandbox_harness import Partner, approve, ask, only_pending_id


def _pay(client: Any, username: str, amount: str) -> str:
    ask(client, username, payment=amount)
    status: str = approve(client, username).json()["status"]
    return status


def _entries(client: TestClient) -> list[tuple[Any, ...]]:
    with session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        found = db.exec(select(LedgerEntry).order_by(col(LedgerEntry.id))).all()
    return [
        (
            e.request_id,
            e.client_id,
            e.partner_name,
            e.user_id,
            e.username,
            e.amount,
            e.currency,
        )
        for e in found
    ]


def _rows(page: str) -> list[list[str]]:
    """The ledger table's body rows, cell texts without tags."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells]


def test_an_approved_payment_enters_the_ledger_exactly(client: TestClient) -> None:
    assert _pay(client, "jose", "12.5") == "approved"

    assert _entries(client) == [
        (1, "test-client", "IA Portal (demo)", 2, "jose", "12.50", "USD")
    ]


def test_the_page_lists_newest_first_with_a_total_per_currency(
    client: TestClient,
) -> None:
    _pay(client, "jose", "12.50")
    _pay(client, "ada", "0.1")

    page = client.get("/ledger")

    assert page.status_code == 200
    assert "<h1>Payments received by partners</h1>" in page.text
    assert [row[1:] for row in _rows(page.text)] == [
        ["IA Portal (demo)", "ada", "0.10 USD"],
        ["IA Portal (demo)", "jose", "12.50 USD"],
    ]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[0]) for r in _rows(page.text)
    )
    assert '<b class="amount">12.60 USD</b>' in page.text


def test_sign_ins_denials_and_failed_callbacks_enter_nothing(
    client: TestClient, partner: Partner
) -> None:
    ask(client, "ada")
    approve(client, "ada")  # a sign-in
    ask(client, "ada", payment="5")
    client.post(f"/app/ada/requests/{only_pending_id(client, 'ada')}/deny")
    partner.status = 500
    assert _pay(client, "grace", "7.25") == "failed"

    assert _entries(client) == []
    assert "No payments yet." in client.get("/ledger").text


def test_totals_are_exact_decimals_per_currency() -> None:
    def entry(amount: str, currency: str) -> LedgerEntry:
        return LedgerEntry(
            request_id=1,
            client_id="c",
            partner_name="P",
            user_id=1,
            username="u",
            amount=amount,
            currency=currency,
        )

    found = [
        entry("0.10", "USD"),
        entry("0.20", "USD"),
        entry("500", "JPY"),
        entry("1.005", "KWD"),
        entry("0.001", "KWD"),
        entry("999999999999.99", "USD"),
    ]

    # In floats 0.1 + 0.2 is 0.30000000000000004; these sums stay exact.
    assert totals(found) == {
        "JPY": "500",
        "KWD": "1.006",
        "USD": "1000000000000.29",
    }


def test_the_phone_app_links_to_the_ledger(client: TestClient) -> None:
    assert (
        '<a href="/ledger">Payments received by partners</a>' in client.get("/app").text
    )
