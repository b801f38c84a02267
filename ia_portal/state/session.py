"""The browser's signed-in session and the profile it shows."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import secrets

import reflex as rx

from ia_portal import ia_client
from ia_portal.config import get_settings
from ia_portal.db import open_session
from ia_portal.live import forget_tab, push_profile, remember_tab
from ia_portal.models import IAUser
from ia_portal.payments import payments_of
from ia_portal.resync import ResyncResult, UnknownUser, resync
from ia_portal.sessions import end_portal_session, open_portal_session, user_for_token

logger = logging.getLogger(__name__)

REVOKED = "Access revoked — sign in again with Instant Access."
REFRESHED = {
    ResyncResult.UPDATED: "Your profile was updated from Instant Access.",
    ResyncResult.UNCHANGED: "Your profile is up to date with Instant Access.",
    ResyncResult.REVOKED: REVOKED,
}


def _when(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class SessionState(rx.State):
    """Who this browser is signed in as, read from the database on each page load."""

    # The browser's session token (a random value, not an IA token); shared by tabs.
    session_token: str = rx.LocalStorage(name="ia_portal_session", sync=True)
    # A random name for this browser, so the inspector knows its own attempts.
    browser_id: str = rx.LocalStorage(name="ia_portal_browser", sync=True)

    signed_in: bool = False
    username: str = ""
    email: str = ""
    name: str = ""
    phone: str = ""
    ia_user_id: str = ""
    last_synced: str = ""
    access_revoked: bool = False
    payments: list[dict[str, str]] = []
    has_payments: bool = False
    refreshing: bool = False
    refresh_message: str = ""

    def _show(self, user: IAUser | None, payments: list[dict[str, str]]) -> None:
        """Copy a stored user into the page's vars (or clear them)."""
        self.signed_in = user is not None
        self.username = user.username if user else ""
        self.email = user.email if user else ""
        self.name = user.name if user else ""
        self.phone = (user.phone or "") if user else ""
        self.ia_user_id = str(user.ia_user_id) if user else ""
        self.last_synced = _when(user.last_synced_at) if user else ""
        self.access_revoked = bool(user and user.access_token is None)
        self.payments = payments
        self.has_payments = bool(payments)

    def _load(self) -> None:
        """Look the browser's token up; an unknown or ended one signs it out."""
        if not self.browser_id:
            self.browser_id = secrets.token_urlsafe(16)
        client_token = self.router.session.client_token
        payments: list[dict[str, str]] = []
        with open_session() as session:
            user = user_for_token(session, self.session_token)
            if user is not None and user.id is not None:
                remember_tab(session, client_token, user.id)
                payments = [
                    dataclasses.asdict(p) for p in payments_of(session, user.id)
                ]
        if user is None and self.session_token:
            self.session_token = ""
        self._show(user, payments)

    def _sign_in(self, user: IAUser) -> None:
        """Start a database session for `user` and remember it in this browser."""
        lifetime = datetime.timedelta(hours=get_settings().session_lifetime_hours)
        with open_session() as session:
            self.session_token = open_portal_session(session, user, lifetime)
        self._load()
        logger.info("portal session started for IA user %s", user.ia_user_id)

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
    async def refresh_from_ia(self):
        """Re-fetch the profile from IA now, and say how it went."""
        if not self.signed_in:
            # A backend restart leaves this tab a fresh state; a click can come
            # before the page's load has looked its session up again.
            self._load()
        if not self.signed_in or self.refreshing:
            return
        self.refreshing = True
        yield

        ia_user_id = int(self.ia_user_id)
        try:
            result = await resync(get_settings(), ia_user_id)
            self.refresh_message = REFRESHED[result]
        except UnknownUser:
            self.refresh_message = "Your profile is no longer stored here."
        except ia_client.IAError as error:
            self.refresh_message = f"Could not refresh from Instant Access: {error}"
        self._load()
        self.refreshing = False
        yield rx.toast.info(self.refresh_message)
        await push_profile(ia_user_id, skip_token=self.router.session.client_token)

    @rx.event
    def sign_out(self):
        """End this browser's session in the database and forget the token."""
        with open_session() as session:
            end_portal_session(session, self.session_token)
            forget_tab(session, self.router.session.client_token)
        self.session_token = ""
        self._show(None, [])
        return [rx.redirect("/"), rx.toast.info("You are signed out.")]


def refresh(state: SessionState) -> None:
    """Re-read the signed-in user into `state` (for pushes from outside a handler)."""
    state._load()
