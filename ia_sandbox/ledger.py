"""The payment ledger: what partners received, and ``GET /ledger`` showing it.

An entry is written when a payment request is approved and the partner's
callback accepted its code, in the same transaction that settles the
request; sign-ins, denials and failed callbacks write none. Amounts stay the
canonical decimal text `payment.parse_amount` produced and are summed with
`decimal.Decimal`.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ia_sandbox.config import Settings
from ia_sandbox.models import ApprovalRequest, LedgerEntry, User
from ia_sandbox.payment import minor_units
from ia_sandbox.web import db_for, page_headers, render

logger = logging.getLogger(__name__)


def record_payment(
    db: Session, settings: Settings, request: ApprovalRequest, user: User
) -> LedgerEntry:
    """Add the entry for an approved payment request; the caller commits.

    Committing with the request's settlement keeps the ledger and the
    request's status in agreement even if the process stops in between.
    """
    assert request.id is not None and user.id is not None
    assert request.amount is not None and request.currency is not None
    entry = LedgerEntry(
        request_id=request.id,
        client_id=request.client_id,
        partner_name=settings.partner_name,
        user_id=user.id,
        username=user.username,
        amount=request.amount,
        currency=request.currency,
    )
    db.add(entry)
    return entry


def entries(db: Session) -> list[LedgerEntry]:
    """Every entry, newest first."""
    return list(
        db.exec(
            select(LedgerEntry).order_by(
                col(LedgerEntry.approved_at).desc(), col(LedgerEntry.id).desc()
            )
        ).all()
    )


def totals(found: list[LedgerEntry]) -> dict[str, str]:
    """``{currency: total}``, currencies in alphabetical order, each total
    written with the currency's decimals (``"12.60"``)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in found:
        sums[entry.currency] += Decimal(entry.amount)
    return {
        currency: f"{sums[currency]:.{minor_units(currency)}f}"
        for currency in sorted(sums)
    }


def page(request: Request) -> Response:
    """Payments received by partners, newest first, with totals per currency."""
    with db_for(request) as db:
        found = entries(db)
    context = {"entries": found, "totals": totals(found)}
    return render(request, "ledger.html", context, headers=page_headers())


routes = [Route("/ledger", page, methods=["GET"])]
