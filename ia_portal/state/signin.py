"""The IA button's flow: open the frame, then act on each message IA's frame sends.

Each message arrives from `assets/ia_button.jsx` only after its origin and source
checks; even so, `success` signs no one in until the server-side proof in
`ia_portal.signin` holds.
"""

from __future__ import annotations

import datetime
import logging

import reflex as rx

from ia_portal import signin
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.state.session import SessionState

logger = logging.getLogger(__name__)

NOT_CONFIRMED = "Could not confirm your sign-in with Instant Access. Please try again."
DENIED = "The sign-in was denied on the IA app."
TIMED_OUT = "No answer came from the IA app in time. Please try again."


class SignInState(SessionState):
    """One tab's sign-in attempt and what the page says about it."""

    frame_src: str = ""
    busy: bool = False
    status: str = ""
    _attempt_id: str = ""

    @rx.event
    def open_frame(self) -> None:
        """Record a sign-in attempt for this tab and point the frame at it."""
        if self.frame_src:
            return
        with open_session() as session:
            attempt = signin.start_attempt(session, self.router.session.client_token)
        self._attempt_id = attempt.id
        self.frame_src = f"{get_settings().portal_api_url}/ia/frame/{attempt.id}"
        self.status = "Waiting for Instant Access…"

    def _finish(self, status: str, message: str):
        """End the attempt as `status`, close the frame and tell the person why."""
        if self._attempt_id:
            with open_session() as session:
                signin.finish_attempt(
                    session, self._attempt_id, self.router.session.client_token, status
                )
        self._attempt_id = ""
        self.frame_src = ""
        self.busy = False
        self.status = message
        return rx.toast.error(message)

    @rx.event
    def ia_success(self, username_or_email: str):
        """IA's frame says the user approved: sign in only with server-side proof."""
        attempt_id, self._attempt_id = self._attempt_id, ""
        self.frame_src = ""
        if not attempt_id:
            logger.warning("success without an open attempt in this tab: ignored")
            self.status = NOT_CONFIRMED
            return rx.toast.error(NOT_CONFIRMED)

        self.busy = True
        window = datetime.timedelta(seconds=get_settings().signin_confirm_window)
        with open_session() as session:
            user = signin.confirm_success(
                session,
                attempt_id,
                self.router.session.client_token,
                username_or_email,
                window,
            )
        self.busy = False
        if user is None:
            self.status = NOT_CONFIRMED
            return rx.toast.error(NOT_CONFIRMED)

        self._sign_in(user)
        self.status = f"Signed in as {user.name or user.username}."
        return rx.redirect("/profile")

    @rx.event
    def ia_denied(self, message: str):
        return self._finish("denied", message.strip() or DENIED)

    @rx.event
    def ia_timeout(self, message: str):
        return self._finish("timeout", message.strip() or TIMED_OUT)

    @rx.event
    def ia_alert(self, message: str):
        self.status = message
        return rx.toast.info(message)

    @rx.event
    def ia_close(self) -> None:
        """The frame asked to close (or Escape): the button comes back."""
        if self._attempt_id:
            with open_session() as session:
                signin.finish_attempt(
                    session,
                    self._attempt_id,
                    self.router.session.client_token,
                    "closed",
                )
            self.status = ""
        self._attempt_id = ""
        self.frame_src = ""

    @rx.event
    def ia_reject(self, reason: str) -> None:
        """The button ignored a message that failed its checks; keep a trace."""
        logger.warning("IA button ignored a message: %s", reason[:200])
