"""The smallest Reflex app that signs a person in with the IA button.

One page, one state, every event of the button wired by hand, so each one's
payload is in plain sight. The server side is the portal's own: IA's callback
and the frame redirect (`ia_portal.routes`), attempts and the server-side proof
(`ia_portal.attempts`), the database and settings. docs/ia-button.md says how
to run it and what to copy into another app.

Limitation: IA's `POST` hint (a profile changed) is not served here, because
the portal's re-sync pushes to the portal's own app (`ia_portal.live`); an app
that keeps profiles serves it as `ia_portal.routes.profile_changed` does.
"""

from __future__ import annotations

import datetime
import logging

import reflex as rx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from ia_portal import attempts, routes
from ia_portal.components.ia_button import ia_button
from ia_portal.config import get_settings
from ia_portal.db import open_session

logger = logging.getLogger(__name__)


class HelloState(rx.State):
    """One tab: IA's frame (open or not), its attempt, and what to tell the person."""

    frame_src: str = ""
    message: str = ""
    # Backend-only (leading underscore): never sent to the browser.
    _attempt_id: str = ""

    def _end(self, status: str) -> None:
        """Close the frame and end its attempt as denied, timeout or closed."""
        attempt_id, self._attempt_id = self._attempt_id, ""
        self.frame_src = ""
        if attempt_id:
            with open_session() as session:
                attempts.finish_attempt(
                    session, attempt_id, self.router.session.client_token, status
                )

    @rx.event
    def open_frame(self) -> None:
        """on_open: record an attempt for this tab, then show IA's frame."""
        with open_session() as session:
            attempt = attempts.start_attempt(session, self.router.session.client_token)
        self._attempt_id = attempt.id
        # The backend's redirect adds the client id and secret, out of the page.
        self.frame_src = f"{get_settings().portal_api_url}/ia/frame/{attempt.id}"
        self.message = "Approve the request on your IA app."

    @rx.event
    def ia_success(self, username_or_email: str) -> None:
        """on_success: believe it only when IA's callback for that user arrived."""
        attempt_id, self._attempt_id = self._attempt_id, ""
        self.frame_src = ""
        window = datetime.timedelta(seconds=get_settings().signin_confirm_window)
        with open_session() as session:
            user = attempts.confirm_approval(
                session,
                attempt_id,
                self.router.session.client_token,
                username_or_email,
                window,
            )
        # A real app starts its own session here (the portal: SessionState._sign_in).
        self.message = f"Hello, {user.name}!" if user else "Could not confirm it."

    @rx.event
    def ia_denied(self, message: str) -> None:
        """on_denied: IA's reason, possibly empty."""
        self._end("denied")
        self.message = message or "Denied on the IA app."

    @rx.event
    def ia_timeout(self, message: str) -> None:
        """on_timeout: nobody answered on the phone in time."""
        self._end("timeout")
        self.message = message or "No answer in time."

    @rx.event
    def ia_alert(self, message: str) -> None:
        """on_alert: IA asks us to show a message; the frame stays open."""
        self.message = message

    @rx.event
    def ia_close(self) -> None:
        """on_close: IA's closeframe, or Escape; the button comes back."""
        self._end("closed")

    @rx.event
    def ia_reject(self, reason: str) -> None:
        """on_reject: a message from IA's frame failed the button's checks."""
        logger.warning("IA button ignored a message: %s", reason[:200])


def index() -> rx.Component:
    """The page: a heading, the IA button (or IA's frame) and a status line."""
    return rx.center(
        rx.vstack(
            rx.heading("Hello, Instant Access", as_="h1"),
            ia_button(
                ia_origin=get_settings().ia_origin,
                frame_src=HelloState.frame_src,
                label="Sign in with Instant Access",
                busy=False,
                on_open=HelloState.open_frame,
                on_success=HelloState.ia_success,
                on_denied=HelloState.ia_denied,
                on_timeout=HelloState.ia_timeout,
                on_alert=HelloState.ia_alert,
                on_close=HelloState.ia_close,
                on_reject=HelloState.ia_reject,
            ),
            rx.text(HelloState.message, role="status", aria_live="polite"),
        ),
        padding="4em",
    )


def ia_routes() -> Starlette:
    """IA's approval callback and the frame redirect, on the app's backend."""
    return Starlette(
        routes=[
            Route("/ia/callback", routes.approval_callback, methods=["GET"]),
            Route("/ia/frame/{attempt_id}", routes.frame_redirect, methods=["GET"]),
        ],
        middleware=[Middleware(routes.SizeLimits)],
    )


# The button's look (optional): IA's navy and mint, from the portal's stylesheet.
app = rx.App(stylesheets=["/portal.css"], api_transformer=ia_routes())
app.add_page(index, route="/", title="Hello, Instant Access")
