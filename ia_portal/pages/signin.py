"""`/`: sign in with Instant Access."""

from __future__ import annotations

import reflex as rx

from ia_portal.components.ia_flow import ia_flow
from ia_portal.components.inspector import with_inspector
from ia_portal.components.layout import page_layout
from ia_portal.state.signin import SignInState

SIGN_IN_LABEL = "Sign in with Instant Access"


def _steps() -> rx.Component:
    return rx.el.ol(
        rx.el.li("Press the button and type your IA username or email."),
        rx.el.li(
            "Approve the request on your IA app (in the sandbox: its phone page)."
        ),
        rx.el.li("The portal confirms with IA, then shows your stored profile."),
        class_name="portal-steps",
    )


def signin_page() -> rx.Component:
    """The sign-in page: the IA button, what will happen, and live status."""
    return page_layout(
        rx.text(
            "No password: Instant Access asks you to approve the sign-in "
            "on your phone.",
            size="4",
        ),
        rx.cond(
            SignInState.signed_in,
            rx.callout.root(
                rx.callout.icon(rx.icon("info")),
                rx.callout.text(
                    "You are signed in as ",
                    rx.text.strong(SignInState.username),
                    ". ",
                    rx.link("Open your profile", href="/profile", underline="always"),
                ),
            ),
        ),
        _steps(),
        with_inspector(ia_flow(SignInState, SIGN_IN_LABEL)),
        heading="Sign in",
    )
