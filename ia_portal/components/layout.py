"""The frame every page shares: header with navigation, main area, footer."""

from __future__ import annotations

import reflex as rx

from ia_portal.state.session import SessionState

# Responsive `display` values: a table column a phone's width has no room for,
# and the line that carries its value on a phone instead.
WIDE_ONLY = rx.breakpoints(initial="none", sm="table-cell")
NARROW_ONLY = rx.breakpoints(initial="block", sm="none")


def _nav_link(text: str, href: str) -> rx.Component:
    return rx.link(text, href=href, size="3", weight="medium")


def page_layout(*children: rx.Component, heading: str) -> rx.Component:
    """A page with the portal's header, a level-1 `heading` and `children`."""
    return rx.box(
        rx.el.header(
            rx.hstack(
                rx.link(
                    rx.hstack(
                        # The portal's own mark, in its accent colour: the "IA"
                        # mark belongs to Instant Access's button and frame.
                        rx.box(
                            rx.icon("store", size=18),
                            class_name="portal-logo",
                            aria_hidden="true",
                        ),
                        rx.text(
                            "IA Portal",
                            weight="bold",
                            size={"initial": "4", "sm": "5"},
                        ),
                        align="center",
                        spacing="2",
                    ),
                    href="/",
                    underline="none",
                    color_scheme="gray",
                    high_contrast=True,
                    class_name="portal-brand",
                ),
                rx.spacer(),
                rx.el.nav(
                    rx.hstack(
                        rx.cond(
                            SessionState.signed_in,
                            _nav_link("Profile", "/profile"),
                            _nav_link("Sign in", "/"),
                        ),
                        _nav_link("Checkout", "/checkout"),
                        spacing={"initial": "3", "sm": "4"},
                    ),
                    aria_label="Main",
                ),
                # Follows the system's scheme until the person picks one here.
                rx.color_mode.button(aria_label="Toggle light and dark theme"),
                align="center",
                spacing={"initial": "3", "sm": "4"},
                width="100%",
            ),
            class_name="portal-header",
        ),
        rx.el.main(
            rx.container(
                rx.vstack(
                    rx.heading(heading, as_="h1", size={"initial": "6", "sm": "7"}),
                    *children,
                    spacing="5",
                    width="100%",
                ),
                size="3",
            ),
            class_name="portal-main",
        ),
        rx.el.footer(
            rx.text(
                "A reference partner of Instant Access. "
                "The IA side runs in the sandbox.",
                size="2",
                color_scheme="gray",
            ),
            class_name="portal-footer",
        ),
    )
