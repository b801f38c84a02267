"""Payments: created pending when a tab opens IA's frame, ended with the attempt.

See `ia_portal.attempts` for how an attempt's ending settles its payment; a
payment is paid at most once, whatever the browser sends and however often.

Limitation: a payment is marked paid without knowing the amount IA collected,
because IA's callback and success carry no amount; a person who reads the
client secret in the frame redirect could approve a smaller amount in a frame
of their own. Only IA's records show what was collected.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import secrets
from decimal import Decimal

from sqlmodel import Session, col, select

from ia_portal.attempts import new_attempt
from ia_portal.models import IAAttempt, Payment
from ia_portal.money import display, for_ia, from_minor, to_minor

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PaymentView:
    """A payment as the profile page lists it."""

    when: str
    amount: str
    currency: str
    status: str
    description: str


def start_payment(
    session: Session,
    client_token: str,
    amount: Decimal,
    currency: str,
    description: str,
) -> IAAttempt:
    """Open a payment attempt for this tab with a pending payment, together."""
    attempt = new_attempt(session, client_token, "payment")
    payment = Payment(
        id=secrets.token_urlsafe(16),
        attempt_id=attempt.id,
        client_token=client_token,
        amount_minor=to_minor(amount, currency),
        currency=currency,
        description=description[:500],
    )
    session.add(payment)
    session.commit()
    logger.info(
        "payment %s… of %s %s pending",
        payment.id[:6],
        for_ia(amount, currency),
        currency,
    )
    return attempt


def payment_of(session: Session, attempt_id: str) -> Payment | None:
    """The payment an attempt was opened for, if any."""
    return session.exec(select(Payment).where(Payment.attempt_id == attempt_id)).first()


def shown_amount(payment: Payment) -> str:
    """The payment's amount formatted for people, e.g. `$141.90`."""
    return display(from_minor(payment.amount_minor, payment.currency), payment.currency)


def ia_amount(payment: Payment) -> str:
    """The payment's amount as IA's `payment` parameter."""
    return for_ia(from_minor(payment.amount_minor, payment.currency), payment.currency)


def _when(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def payments_of(session: Session, user_id: int, limit: int = 50) -> list[PaymentView]:
    """The user's payments, newest first, ready to show."""
    rows = session.exec(
        select(Payment)
        .where(Payment.user_id == user_id)
        .order_by(col(Payment.created_at).desc())
        .limit(limit)
    ).all()
    return [
        PaymentView(
            when=_when(row.created_at),
            amount=shown_amount(row),
            currency=row.currency,
            status=row.status,
            description=row.description,
        )
        for row in rows
    ]
