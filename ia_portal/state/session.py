"""The browser's signed-in session and the profile it shows."""

from __future__ import annotations

import datetime
import logging

import reflex as rx

from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.models import IAUser
from ia_portal.sessions import end_portal_session, open_portal_session, user_for_token

logger = logging.getLogger(__name__)


def _when(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class SessionState(rx.State):
    """Who this browser is signed in as, read from the database on each page load."""

    # The browser's session token (a random value, not an IA token); shared by tabs.
    session_token: str = rx.LocalStorage(name="ia_portal_session", sync=True)

    signed_in: bool = False
    username: str = ""
    email: str = ""
    name: str = ""
    phone: str = ""
    ia_user_id: str = ""
    last_synced: str = ""

    def _show(self, user: IAUser | None) -> None:
        """Copy a stored user into the page's vars (or clear them)."""
        self.signed_in = user is not None
        self.username = user.username if user else ""
        self.email = user.email if user else ""
        self.name = user.name if user else ""
        self.phone = (user.phone or "") if user else ""
        self.ia_user_id = str(user.ia_user_id) if user else ""
        self.last_synced = _when(user.last_synced_at) if user else ""

    def _sign_in(self, user: IAUser) -> None:
        """Start a database session for `user` and remember it in this browser."""
        lifetime = datetime.timedelta(hours=get_settings().session_lifetime_hours)
        with open_session() as session:
            self.session_token = open_portal_session(session, user, lifetime)
        self._show(user)
        logger.info("portal session started for IA user %s", user.ia_user_id)

    def _load(self) -> None:
        """Look the browser's token up; an unknown or ended one signs it out."""
        with open_session() as session:
            user = user_for_token(session, self.session_token)
        if user is None and self.session_token:
            self.session_token = ""
        self._show(user)

    @rx.event
    def load_session(self) -> None:
        """On every page: show who is signed in, if anyone."""
        self._load()

    @rx.event
    def require_session(self):
        """On pages for signed-in people: send everyone else to the sign-in page."""
        self._load()
        if not self.signed_in:
            return rx.redirect("/")
        return None

    @rx.event
    def sign_out(self):
        """End this browser's session in the database and forget the token."""
        with open_session() as session:
            end_portal_session(session, self.session_token)
        self.session_token = ""
        self._show(None)
        return [rx.redirect("/"), rx.toast.info("You are signed out.")]
