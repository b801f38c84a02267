"""The sign-in page's IA button: open the frame, sign in on a proven success."""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx

from ia_portal import attempts, inspector
from ia_portal.db import open_session
from ia_portal.inspector import Step
from ia_portal.models import IAUser
from ia_portal.state.ia_frame import IAFrameMixin
from ia_portal.state.session import SessionState

logger = logging.getLogger(__name__)

NOT_CONFIRMED = "Could not confirm your sign-in with Instant Access. Please try again."
SIGNED_IN = "Signed in. Opening your profile…"


class SignInState(IAFrameMixin, SessionState):
    """One tab's sign-in attempt."""

    DENIED_TEXT: ClassVar[str] = "The sign-in was denied on the IA app."

    @rx.event
    def open_frame(self) -> None:
        """Record a sign-in attempt for this tab and point the frame at it."""
        if self.frame_src:
            return
        with open_session() as session:
            attempt = attempts.start_attempt(session, self.router.session.client_token)
        self._show_frame(attempt.id, "Sign-in")

    @rx.event
    def ia_success(self, username_or_email: str):
        """IA's frame says the user approved: sign in only with server-side proof."""
        attempt_id = self._take_attempt()
        if not attempt_id:
            return self._without_attempt(NOT_CONFIRMED)

        user = self._confirm(attempt_id, username_or_email)
        if user is None:
            self.status = NOT_CONFIRMED
            return rx.toast.error(NOT_CONFIRMED)
        return self._approved(attempt_id, user)

    def _approved(self, attempt_id: str, user: IAUser):
        self._sign_in(user)
        inspector.record(
            Step.SIGNED_IN,
            attempt_id=attempt_id,
            summary=f"portal session started for {user.username}; on to /profile",
        )
        # The button stays disabled, with a spinner, until the profile shows.
        self.busy = True
        self.status = SIGNED_IN
        return rx.redirect("/profile")
