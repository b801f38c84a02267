"""The checkout page's IA button: pay the basket (and an optional tip) with IA."""

from __future__ import annotations

import contextlib
import logging
from decimal import Decimal
from typing import ClassVar

import reflex as rx
from sqlmodel import select

from ia_portal import inspector
from ia_portal.basket import basket_total, demo_basket, describe
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.inspector import Step
from ia_portal.models import IAUser, Payment
from ia_portal.money import AmountError, check_amount, display, for_ia, parse_amount
from ia_portal.payments import payment_of, shown_amount, start_payment
from ia_portal.state.ia_frame import IAFrameMixin
from ia_portal.state.session import SessionState

logger = logging.getLogger(__name__)

NOT_CONFIRMED = "Could not confirm your payment with Instant Access. Nothing was paid."


def _basket_lines(currency: str) -> list[dict[str, str]]:
    return [
        {
            "name": line.name,
            "quantity": str(line.quantity),
            "unit_price": display(line.unit_price, currency),
            "total": display(line.total, currency),
        }
        for line in demo_basket(currency)
    ]


class CheckoutState(IAFrameMixin, SessionState):
    """One tab's basket, its optional tip, and its payment attempt."""

    DENIED_TEXT: ClassVar[str] = "The payment was denied on the IA app."
    PURPOSE: ClassVar[str] = "payment"

    tip: str = ""
    tip_error: str = ""
    paid_message: str = ""
    offer_name: str = ""
    _offer_user_id: int = 0

    def _reset_page(self) -> None:
        super()._reset_page()
        self.paid_message = ""
        self.offer_name = ""
        self._offer_user_id = 0

    @rx.var
    def basket(self) -> list[dict[str, str]]:
        return _basket_lines(get_settings().payment_currency)

    @rx.var
    def total(self) -> str:
        """The amount to pay, shown for the currency (the tip once it is valid)."""
        currency = get_settings().payment_currency
        amount = basket_total(demo_basket(currency))
        with contextlib.suppress(AmountError):  # the tip's error is shown apart
            amount += self._tip()
        return display(amount, currency)

    def _tip(self) -> Decimal:
        """The typed tip (0 when empty or zero). Raises AmountError."""
        settings = get_settings()
        if not self.tip.strip():
            return Decimal(0)
        return parse_amount(
            self.tip,
            settings.payment_currency,
            settings.payment_max_amount,
            allow_zero=True,
        )

    def _amount(self) -> Decimal:
        """Basket plus tip, checked for paying. Raises AmountError."""
        settings = get_settings()
        lines = demo_basket(settings.payment_currency)
        return check_amount(
            basket_total(lines) + self._tip(),
            settings.payment_currency,
            settings.payment_max_amount,
        )

    @rx.event
    def set_tip(self, value: str) -> None:
        """Check the typed tip, and the total it makes, as the person types."""
        if self.frame_src:
            return  # the amount is fixed while IA's frame asks for it
        self.tip = value[:32]
        try:
            self._amount()
            self.tip_error = ""
        except AmountError as error:
            self.tip_error = str(error)

    @rx.event
    def open_frame(self):
        """Check the amount, record a pending payment, then open IA's frame."""
        if self.frame_src:
            return None
        currency = get_settings().payment_currency
        lines = demo_basket(currency)
        try:
            tip = self._tip()
            amount = self._amount()
        except AmountError as error:
            self.status = f"Cannot pay this amount: {error}."
            return rx.toast.error(self.status)

        description = describe(lines) + (f", tip {tip}" if tip else "")
        with open_session() as session:
            attempt = start_payment(
                session, self.router.session.client_token, amount, currency, description
            )
        self.paid_message = ""
        self.offer_name = ""
        self._show_frame(
            attempt.id, f"Payment of {for_ia(amount, currency)} {currency}"
        )
        return None

    @rx.event
    def ia_success(self, username_or_email: str):
        """IA's frame says the user approved: mark paid only with server-side proof."""
        attempt_id = self._take_attempt()
        if not attempt_id:
            return self._without_attempt(NOT_CONFIRMED)

        user = self._confirm(attempt_id, username_or_email)
        if user is None:
            self.status = NOT_CONFIRMED
            return rx.toast.error(NOT_CONFIRMED)
        return self._approved(attempt_id, user)

    def _approved(self, attempt_id: str, user: IAUser):
        with open_session() as session:
            payment = payment_of(session, attempt_id)
        if payment is None or payment.status != "paid":
            self.status = NOT_CONFIRMED
            return rx.toast.error(NOT_CONFIRMED)

        shown = shown_amount(payment)
        who = user.name or user.username
        inspector.record(
            Step.PAID, attempt_id=attempt_id, summary=f"{shown} paid by {user.username}"
        )
        self.status = self.paid_message = f"Paid {shown}. Thank you, {who}!"
        if not self.signed_in:
            # IA just proved who paid: offer to sign them in on that proof.
            self._offer_user_id = user.id or 0
            self.offer_name = who
        self._load()
        return rx.toast.success(self.paid_message)

    @rx.event
    def stay_signed_in(self):
        """Accept the offer made after a payment: sign in as the payer."""
        user_id, self._offer_user_id = self._offer_user_id, 0
        self.offer_name = ""
        if not user_id or self.signed_in:
            return None
        with open_session() as session:
            user = session.get(IAUser, user_id)
            # The payment that proved who they are must be this tab's, and paid.
            paid = session.exec(
                select(Payment)
                .where(Payment.user_id == user_id)
                .where(Payment.client_token == self.router.session.client_token)
                .where(Payment.status == "paid")
            ).first()
        if user is None or paid is None:
            return None
        self._sign_in(user)
        return rx.redirect("/profile")
