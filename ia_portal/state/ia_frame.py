"""What every IA button does with the frame's messages, sign-in or payment alike.

Each message arrives from `assets/ia_button.jsx` only after its origin and
source checks; even so, `success` approves nothing until the server-side proof
in `ia_portal.attempts` holds. Pages mix this into their own state and add
`open_frame` and `ia_success`. Each step is also recorded for the inspector.
"""

from __future__ import annotations

import datetime
import logging
from typing import ClassVar

import reflex as rx

from ia_portal import attempts, inspector
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.inspector import Step
from ia_portal.models import IAUser
from ia_portal.sessions import user_for_token

logger = logging.getLogger(__name__)

WAITING = "Type your IA username or email in the frame, then approve on your phone."
RELOADED = "The page was reloaded, so the open request was cancelled. Start again."
INTERRUPTED = (
    "The portal restarted while Instant Access was open, so the request was "
    "cancelled. Start again."
)
# A message the button passes on has passed both of its checks.
CHECKS_PASSED = "origin exactly IA's, source this button's own frame: passed"
ENDINGS = {"denied": Step.DENIED, "timeout": Step.TIMED_OUT, "closed": Step.CLOSED}


class IAFrameMixin(rx.State, mixin=True):
    """One tab's attempt with IA's frame and what the page says about it."""

    frame_src: str = ""
    busy: bool = False
    status: str = ""
    _attempt_id: str = ""
    _showing: str = ""
    # Set once an attempt lost in a backend restart is settled, until the next.
    _lost_settled: bool = False

    # What this page's attempts are for ("signin" or "payment").
    PURPOSE: ClassVar[str] = "signin"
    # Messages for the endings IA may report without a message of its own.
    DENIED_TEXT: ClassVar[str] = "The request was denied on the IA app."
    TIMEOUT_TEXT: ClassVar[str] = (
        "No answer came from the IA app in time. Please try again."
    )

    def _show_frame(self, attempt_id: str, asked: str) -> None:
        """Point the frame at this attempt (the backend adds the credentials).

        Args:
            asked: what the attempt is for ("Sign-in", "Payment of 5.00 USD").
        """
        self._attempt_id = attempt_id
        self._lost_settled = False
        self.frame_src = f"{get_settings().portal_api_url}/ia/frame/{attempt_id}"
        self.status = WAITING
        inspector.record(
            Step.FRAME_REQUESTED,
            attempt_id=attempt_id,
            browser=self.browser_id,  # type: ignore[attr-defined]  # SessionState's
            summary=asked,
        )

    def _take_attempt(self) -> str:
        """The open attempt's id, once: the frame closes and the id is spent."""
        attempt_id, self._attempt_id = self._attempt_id, ""
        self.frame_src = ""
        return attempt_id

    def _heard(self, attempt_id: str, message: str, ok: bool = True) -> None:
        """Record a message of IA's frame that the button passed on or ignored."""
        details = [("origin", get_settings().ia_origin), ("checks", CHECKS_PASSED)]
        inspector.record(
            Step.BROWSER_MESSAGE,
            attempt_id=attempt_id,
            ok=ok,
            summary=message,
            details=details if ok else [],
        )

    def _confirm(self, attempt_id: str, username_or_email: str) -> IAUser | None:
        """The server-side proof for this tab's attempt (see ia_portal.attempts)."""
        self._heard(attempt_id, f"auth success for {username_or_email}")
        window = datetime.timedelta(seconds=get_settings().signin_confirm_window)
        with open_session() as session:
            user = attempts.confirm_approval(
                session,
                attempt_id,
                self.router.session.client_token,
                username_or_email,
                window,
            )
        if user is None:
            inspector.record(
                Step.NOT_CONFIRMED,
                attempt_id=attempt_id,
                ok=False,
                summary="the browser's success was not backed by IA's callback",
            )
        return user

    def _end(self, status: str, heard: str = "", why: str = "") -> None:
        """End this tab's open attempt (if any) as `status` and close the frame.

        Args:
            heard: the frame's message that ended it, for the inspector.
            why: the ending's reason, for the inspector.
        """
        attempt_id = self._take_attempt()
        if attempt_id:
            if heard:
                self._heard(attempt_id, heard)
            with open_session() as session:
                ended = attempts.finish_attempt(
                    session, attempt_id, self.router.session.client_token, status
                )
            if ended:
                inspector.record(ENDINGS[status], attempt_id=attempt_id, summary=why)
        self.busy = False

    def _fail(self, status: str, message: str):
        self._end(status, heard=f"auth {status}", why=message)
        self.status = message
        return rx.toast.error(message)

    def _reset_page(self) -> None:
        """What a page forgets when it loads again (pages add their own)."""
        self.status = ""
        self.busy = False

    def _approved(self, attempt_id: str, user: IAUser):
        """What the page does once IA's approval of its attempt is proven."""
        raise NotImplementedError

    def _settle_lost_attempt(self):
        """Settle this tab's attempt the database holds open but the state lost.

        The state loses it when the backend restarts (`reflex run` starts with
        no saved tab states), and the page's frame goes with it, so IA's
        `success` can no longer come. For a signed-in person the attempt is
        approved by their own approval callback, if one arrived (see
        ia_portal.attempts); otherwise it ends with a message. Returns the
        page's answer, or None when no attempt was lost.
        """
        if self._attempt_id:
            return None
        client_token = self.router.session.client_token
        window = datetime.timedelta(seconds=get_settings().signin_confirm_window)
        with open_session() as session:
            lost = attempts.open_attempt_of(session, client_token, self.PURPOSE)
            if lost is None:
                return None
            user = user_for_token(session, self.session_token)  # type: ignore[attr-defined]
            approved = user is not None and attempts.claim_callback(
                session, lost, user, window
            )
            if not approved:
                attempts.finish_attempt(session, lost.id, client_token, "closed")
        if not approved:
            inspector.record(
                Step.CLOSED,
                attempt_id=lost.id,
                summary="the page lost its frame in a backend restart",
            )

        self.frame_src = ""
        self.busy = False
        self._lost_settled = True
        if approved and user is not None:
            logger.info("attempt %s… lost in a backend restart: approved", lost.id[:6])
            return self._approved(lost.id, user)
        logger.warning("attempt %s… lost in a backend restart: ended", lost.id[:6])
        self.status = INTERRUPTED
        return rx.toast.error(INTERRUPTED)

    def _without_attempt(self, message: str):
        """Answer a `success` that came with no open attempt in this state."""
        settled = self._settle_lost_attempt()
        if settled is not None:
            return settled
        logger.warning("success without an open attempt in this tab: ignored")
        if self._lost_settled:
            # The frame lost in a restart can still post its success just after
            # its attempt was settled: the page already says how that ended.
            return None
        self.status = message
        return rx.toast.error(message)

    @rx.event
    def load_page(self):
        """On every hydration: show who is signed in; notice a lost attempt.

        Reflex hydrates a page when it loads and again whenever its socket
        reconnects (a network blip, a backend restart), so nothing here may end
        a flow that is still on screen.
        """
        self._load()  # type: ignore[attr-defined]  # from SessionState, mixed in
        return self._settle_lost_attempt()

    @rx.event
    def page_opened(self, showing: str) -> None:
        """Once per page shown (not on a reconnect): start the flow afresh.

        `showing` names this showing of the page (see ia_portal.components.
        ia_flow); the same one announced again (React mounts twice in dev mode)
        changes nothing. A frame that was open before a reload is gone with its
        IA request (the IA frame withdraws it as it unloads), so its attempt
        ends here too: a later approval of that request can never pay or sign
        in by surprise.
        """
        if showing == self._showing:
            return
        self._showing = showing
        self._reset_page()
        if self._attempt_id:
            self._end("closed", why="the page was reloaded: IA's request withdrawn")
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
        attempt_id = self._attempt_id
        if attempt_id:
            inspector.record(
                Step.IA_ALERT,
                attempt_id=attempt_id,
                summary=message,
                details=[
                    ("origin", get_settings().ia_origin),
                    ("checks", CHECKS_PASSED),
                ],
            )
        return rx.toast.info(message)

    @rx.event
    def ia_close(self) -> None:
        """The frame asked to close (or Escape): the button comes back."""
        if self._attempt_id:
            self.status = ""
        self._end("closed", why="closeframe from IA's frame, or Escape")

    @rx.event
    def ia_reject(self, reason: str) -> None:
        """The button ignored a message that failed its checks; keep a trace."""
        logger.warning("IA button ignored a message: %s", reason[:200])
        attempt_id = self._attempt_id
        if attempt_id:
            self._heard(attempt_id, f"ignored: {reason[:200]}", ok=False)
