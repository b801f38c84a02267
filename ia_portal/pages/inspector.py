"""`/inspector`: the IA protocol's steps as the portal sees them, live."""

from __future__ import annotations

import reflex as rx

from ia_portal.components.inspector import (
    diagram,
    live_badge,
    recent_flows,
    timeline,
)
from ia_portal.components.layout import page_layout
from ia_portal.inspector.steps import IA_INTERNAL
from ia_portal.state.inspector import InspectorState


def _about() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.callout.text(
            IA_INTERNAL,
            " IA's frame tells the page nothing of these steps (an `alert` "
            "message from IA would show here); the portal's first sight of an "
            "approval is IA's callback. Codes are shortened, the client secret "
            "is redacted, and access tokens are never shown.",
        ),
        color_scheme="gray",
    )


def _controls() -> rx.Component:
    return rx.hstack(
        live_badge(),
        rx.cond(
            InspectorState.chosen != "",
            rx.button(
                "Follow this browser's latest attempt",
                on_click=InspectorState.follow_browser,
                size="1",
                variant="soft",
            ),
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def inspector_page() -> rx.Component:
    """This browser's latest attempt (or a chosen one), drawn and listed."""
    return page_layout(
        rx.text(
            "Every step of Instant Access the portal can observe, as it happens.",
            size="4",
        ),
        _about(),
        _controls(),
        rx.heading(InspectorState.heading, as_="h2", size="5", id="inspector-flow"),
        diagram(),
        timeline(),
        rx.heading("Recent attempts", as_="h2", size="5"),
        rx.text(
            "Every browser's, with usernames; email, name and phone only for "
            "this browser's own attempts.",
            size="2",
            color_scheme="gray",
        ),
        recent_flows(),
        heading="Protocol inspector",
    )
