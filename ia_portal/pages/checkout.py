"""`/checkout`: pay a demo basket with Instant Access."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ia_portal.components.ia_flow import ia_flow
from ia_portal.components.inspector import with_inspector
from ia_portal.components.layout import page_layout
from ia_portal.config import get_settings
from ia_portal.state.checkout import CheckoutState

PAY_LABEL = "Pay with Instant Access"


def _line(line: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(line["name"]),
        rx.table.cell(line["quantity"], justify="end"),
        rx.table.cell(line["unit_price"], justify="end"),
        rx.table.cell(line["total"], justify="end"),
    )


def _basket() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Item"),
                rx.table.column_header_cell("Qty", justify="end"),
                rx.table.column_header_cell("Price", justify="end"),
                rx.table.column_header_cell("Amount", justify="end"),
            )
        ),
        rx.table.body(rx.foreach(CheckoutState.basket, _line)),
        variant="surface",
        width="100%",
    )


def _tip() -> rx.Component:
    currency = get_settings().payment_currency
    return rx.vstack(
        rx.el.label(f"Add a tip ({currency}, optional)", html_for="tip"),
        rx.input(
            id="tip",
            value=CheckoutState.tip,
            on_change=CheckoutState.set_tip,
            placeholder="e.g. 2.50",
            input_mode="decimal",
            max_length=32,
            aria_describedby="tip-error",
            aria_invalid=CheckoutState.tip_error != "",
            # The amount is fixed while IA's frame asks for it.
            disabled=CheckoutState.frame_src != "",
        ),
        rx.text(CheckoutState.tip_error, id="tip-error", color_scheme="red", size="2"),
        spacing="1",
    )


def _offer() -> rx.Component:
    return rx.cond(
        CheckoutState.offer_name != "",
        rx.callout.root(
            rx.callout.text(
                "Stay signed in as ", rx.text.strong(CheckoutState.offer_name), "?"
            ),
            # High contrast: a solid button on the callout's tint needs it.
            rx.button(
                "Stay signed in",
                on_click=CheckoutState.stay_signed_in,
                high_contrast=True,
            ),
        ),
    )


def checkout_page() -> rx.Component:
    """The basket, the total, an optional tip, and the IA button in payment mode."""
    return page_layout(
        rx.text("Approve the payment on your phone: no card, no password.", size="4"),
        _basket(),
        _tip(),
        rx.hstack(
            rx.text("Total", weight="bold", size="5"),
            rx.text(CheckoutState.total, weight="bold", size="5", id="total"),
            justify="between",
            width="100%",
        ),
        with_inspector(ia_flow(CheckoutState, PAY_LABEL)),
        _offer(),
        heading="Checkout",
    )
