"""`/profile`: what IA shared about the signed-in person, and their payments."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ia_portal.components.layout import NARROW_ONLY, WIDE_ONLY, page_layout
from ia_portal.state.session import REVOKED, SessionState


def _row(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(value),
    )


def _revoked() -> rx.Component:
    return rx.cond(
        SessionState.access_revoked,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.callout.text(
                REVOKED, " ", rx.link("Sign in again", href="/", underline="always")
            ),
            color_scheme="red",
            role="alert",
            id="revoked",
        ),
    )


def _details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.data_list.root(
                _row("Name", SessionState.name),
                _row("Email", SessionState.email),
                _row("Username", SessionState.username),
                _row(
                    "Phone",
                    rx.cond(SessionState.phone != "", SessionState.phone, "—"),
                ),
                _row("IA user id", SessionState.ia_user_id),
                _row("Last synced with IA", SessionState.last_synced),
                orientation={"initial": "vertical", "sm": "horizontal"},
            ),
            rx.hstack(
                rx.button(
                    "Refresh from Instant Access",
                    on_click=SessionState.refresh_from_ia,
                    loading=SessionState.refreshing,
                    disabled=SessionState.access_revoked,
                ),
                rx.button(
                    "Sign out",
                    on_click=SessionState.sign_out,
                    variant="soft",
                    color_scheme="gray",
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                SessionState.refresh_message,
                role="status",
                aria_live="polite",
                size="2",
            ),
            spacing="5",
        ),
        id="profile",
    )


def _payment(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"]),
        # On a phone, "What" also says the payment's status.
        rx.table.cell(
            row["description"],
            rx.text(row["status"], size="1", color_scheme="gray", display=NARROW_ONLY),
        ),
        rx.table.cell(
            row["amount"],
            rx.text(row["currency"], size="1", display=NARROW_ONLY),
            justify="end",
        ),
        rx.table.cell(row["currency"], display=WIDE_ONLY),
        rx.table.cell(row["status"], display=WIDE_ONLY),
    )


def _payments() -> rx.Component:
    return rx.vstack(
        rx.heading("Payments", as_="h2", size="5"),
        rx.cond(
            SessionState.has_payments,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("When"),
                        rx.table.column_header_cell("What"),
                        rx.table.column_header_cell("Amount", justify="end"),
                        rx.table.column_header_cell("Currency", display=WIDE_ONLY),
                        rx.table.column_header_cell("Status", display=WIDE_ONLY),
                    )
                ),
                rx.table.body(rx.foreach(SessionState.payments, _payment)),
                variant="surface",
                width="100%",
                id="payments",
            ),
            rx.text(
                "No payments yet. ",
                # Underlined: a link inside a sentence is not told by colour alone.
                rx.link("Go to checkout", href="/checkout", underline="always"),
            ),
        ),
        width="100%",
    )


def profile_page() -> rx.Component:
    """The stored profile, its freshness, the payments, and Sign out."""
    return page_layout(
        rx.cond(
            SessionState.signed_in,
            rx.vstack(_revoked(), _details(), _payments(), spacing="5", width="100%"),
            rx.text("Loading your profile…"),
        ),
        heading="Your profile",
    )
