"""What every IA button does with the frame's messages, sign-in or payment alike.

Each message arrives from `assets/ia_button.jsx` only after its origin and
source checks; even so, `success` approves nothing until the server-side proof
in `ia_portal.attempts` holds. Pages mix this into their own state and add
`open_frame` and `ia_success`.
"""

from __future__ import annotations

import datetime
import logging
from typing import ClassVar

import reflex as rx

from ia_portal import attempts
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.models import IAUser

logger = logging.getLogger(__name__)

WAITING = "Type your IA username or email in the frame, then approve on your phone."
RELOADED = "The page was reloaded, so the open request was cancelled. Start again."


class IAFrameMixin(rx.State, mixin=True):
    """One tab's attempt with IA's frame and what the page says about it."""

    frame_src: str = ""
    busy: bool = False
    status: str = ""
    _attempt_id: str = ""

    # Messages for the endings IA may report without a message of its own.
    DENIED_TEXT: ClassVar[str] = "The request was denied on the IA app."
    TIMEOUT_TEXT: ClassVar[str] = (
        "No answer came from the IA app in time. Please try again."
    )

    def _show_frame(self, attempt_id: str) -> None:
        """Point the frame at this attempt (the backend adds the credentials)."""
        self._attempt_id = attempt_id
        self.frame_src = f"{get_settings().portal_api_url}/ia/frame/{attempt_id}"
        self.status = WAITING

    def _take_attempt(self) -> str:
        """The open attempt's id, once: the frame closes and the id is spent.

        The id is looked up in the database when this state no longer holds it
        (the backend restarted while IA's frame was open).
        """
        attempt_id, self._attempt_id = self._attempt_id, ""
        self.frame_src = ""
        if not attempt_id:
            with open_session() as session:
                found = attempts.open_attempt_of(
                    session, self.router.session.client_token
                )
            attempt_id = found.id if found else ""
        return attempt_id

    def _confirm(self, attempt_id: str, username_or_email: str) -> IAUser | None:
        """The server-side proof for this tab's attempt (see ia_portal.attempts)."""
        window = datetime.timedelta(seconds=get_settings().signin_confirm_window)
        with open_session() as session:
            return attempts.confirm_approval(
                session,
                attempt_id,
                self.router.session.client_token,
                username_or_email,
                window,
            )

    def _end(self, status: str) -> None:
        """End this tab's open attempt (if any) as `status` and close the frame."""
        attempt_id = self._take_attempt()
        if attempt_id:
            with open_session() as session:
                attempts.finish_attempt(
                    session, attempt_id, self.router.session.client_token, status
                )
        self.busy = False

    def _fail(self, status: str, message: str):
        self._end(status)
        self.status = message
        return rx.toast.error(message)

    def _reset_page(self) -> None:
        """What a page forgets when it loads again (pages add their own)."""
        self.status = ""

    @rx.event
    def load_page(self) -> None:
        """On page load: show who is signed in, and start the flow afresh.

        A frame that was open before a reload is gone with its IA request (the
        IA frame withdraws it as it unloads), so its attempt ends here too: a
        later approval of that request can never pay or sign in by surprise.
        """
        self._load()  # type: ignore[attr-defined]  # from SessionState, mixed in
        self._reset_page()
        if self._attempt_id:
            self._end("closed")
            self.status = RELOADED

    @rx.event
    def ia_denied(self, message: str):
        return self._fail("denied", message.strip() or self.DENIED_TEXT)

    @rx.event
    def ia_timeout(self, message: str):
        return self._fail("timeout", message.strip() or self.TIMEOUT_TEXT)

    @rx.event
    def ia_alert(self, message: str):
        self.status = message
        return rx.toast.info(message)

    @rx.event
    def ia_close(self) -> None:
        """The frame asked to close (or Escape): the button comes back."""
        if self._attempt_id:
            self.status = ""
        self._end("closed")

    @rx.event
    def ia_reject(self, reason: str) -> None:
        """The button ignored a message that failed its checks; keep a trace."""
        logger.warning("IA button ignored a message: %s", reason[:200])
