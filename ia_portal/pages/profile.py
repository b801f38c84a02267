"""`/profile`: what IA shared about the signed-in person, as stored here."""

from __future__ import annotations

import reflex as rx

from ia_portal.components.layout import page_layout
from ia_portal.state.session import SessionState


def _row(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(value),
    )


def profile_page() -> rx.Component:
    """The stored profile and the Sign out button."""
    return page_layout(
        rx.cond(
            SessionState.signed_in,
            rx.card(
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
                    rx.button(
                        "Sign out",
                        on_click=SessionState.sign_out,
                        variant="soft",
                        color_scheme="gray",
                    ),
                    spacing="5",
                ),
                id="profile",
            ),
            rx.text("Loading your profile…"),
        ),
        heading="Your profile",
    )
