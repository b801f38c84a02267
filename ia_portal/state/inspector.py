"""What `/inspector` and the pages' side panel show, kept live while open.

Live updates come from a background event that polls the database (the newest
step's id) while the page or panel is shown, so steps recorded by any backend
worker appear; nothing crosses requests in this process's memory. The poll
stops when the panel is hidden, the page is left (the tab's next page load
says so), or the tab disconnects. (Not on unmount: React's development mode
unmounts and mounts each component once more at start.)

Limitation: a tab whose poll ends with its backend worker (a restart), or
whose socket is away longer than a poll, gets no updates until the page loads
again or the panel is toggled, because the poll runs in the worker that
started it. A socket that comes back on another worker keeps its poll: with
Redis the poll's changes reach it there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets

import reflex as rx
from starlette.concurrency import run_in_threadpool

from ia_portal.db import open_session
from ia_portal.inspector.diagram import sequence
from ia_portal.inspector.timeline import View, last_event_id, read_view
from ia_portal.live import tab_connected
from ia_portal.state.session import SessionState

# How often an open inspector asks the database for news, in seconds.
POLL_SECONDS = 0.5
# Every this many quiet polls, the poll checks that it is still wanted.
CHECK_EVERY = 10
INSPECTOR_PATH = "/inspector"
# The pages with the inspector's side panel.
PANEL_PATHS = ("/", "/checkout")


def _read(browser: str, key: str) -> View:
    with open_session() as session:
        return read_view(session, browser, key)


def _newest() -> int:
    with open_session() as session:
        return last_event_id(session)


class InspectorState(SessionState):
    """One tab's view of the recorded protocol steps."""

    flows: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    chart: str = ""
    heading: str = ""
    # The flow picked from the list; "" follows this browser's latest attempt.
    chosen: str = ""
    shown: str = ""
    panel_open: bool = False
    live: bool = False
    _last_event: int = -1
    _poll: str = ""

    def _show_view(self, view: View) -> None:
        self.flows = [
            {**dataclasses.asdict(flow), "mine": "yes" if flow.mine else ""}
            for flow in view.flows
        ]
        self.rows = [
            {
                **dataclasses.asdict(row),
                "ok": "yes" if row.ok else "",
                "matched": "yes" if row.matched else "",
            }
            for row in view.rows
        ]
        self.chart = sequence(view.rows)
        self.heading = view.heading
        self.shown = view.key
        self._last_event = view.last_event

    def _refresh(self) -> None:
        self._show_view(_read(self.browser_id, self.chosen))

    @rx.event
    def load_inspector(self):
        """On `/inspector`: read the steps, then keep them live."""
        self._load()
        self._refresh()
        return InspectorState.poll

    @rx.event
    def choose(self, key: str) -> None:
        """Show one of the recent flows (its key is the id of its first step)."""
        self.chosen = key if key.isdigit() else ""
        self._refresh()

    @rx.event
    def follow_browser(self) -> None:
        """Go back to following this browser's latest attempt."""
        self.chosen = ""
        self._refresh()

    @rx.event
    def toggle_panel(self) -> None:
        """Show or hide the side panel (a shown panel starts its poll: `resume`)."""
        self.panel_open = not self.panel_open
        if not self.panel_open:
            self._poll = ""
            self.live = False

    @rx.event
    def resume(self):
        """The panel is shown (toggled, or on a page load): up to date, live."""
        if not self.panel_open:
            return None
        self._refresh()
        return InspectorState.poll

    def _wanted(self) -> bool:
        """Whether this tab still shows the inspector (its page, or the panel)."""
        path = self.router.url.path.rstrip("/") or "/"
        return path == INSPECTOR_PATH or (self.panel_open and path in PANEL_PATHS)

    @rx.event(background=True)
    async def poll(self):
        """Refresh whenever a new step is recorded, while the tab shows it.

        A newer poll of the same tab replaces this one (its ticket changes).
        """
        ticket = secrets.token_hex(8)
        async with self:
            self._poll = ticket
            self.live = True
            client_token = self.router.session.client_token
            seen = self._last_event
        quiet = 0
        while await tab_connected(client_token):
            await asyncio.sleep(POLL_SECONDS)
            newest = await run_in_threadpool(_newest)
            quiet = 0 if newest != seen else quiet + 1
            if newest == seen and quiet % CHECK_EVERY:
                continue
            async with self:
                if self._poll != ticket or not self._wanted():
                    break
                browser, chosen = self.browser_id, self.chosen
            if newest == seen:
                continue
            view = await run_in_threadpool(_read, browser, chosen)
            async with self:
                if self._poll != ticket:
                    return
                self._show_view(view)
            seen = view.last_event
        async with self:
            if self._poll == ticket:
                self._poll = ""
                self.live = False
