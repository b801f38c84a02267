"""A sign-in driven as a browser drives it, without a browser.

The portal's side is Reflex's websocket (socket.io on `/_event`): the events
a page sends and the state updates it receives. IA's side is plain HTTP: the
frame's page and its calls, the phone's Approve. The socket's first packet
(the hydrate event and the frontend's state schema) is learnt once from a
real page load in Chromium (`learn_boot`), so these clients speak exactly the
protocol the built frontend speaks; event names come from the same page.

One `signin` is one fresh browser profile signing one IA user in: open the
sign-in page, press the IA button, type the login in IA's frame, approve on
the phone, let the frame see the approval (it polls, as IA's frame does), tell
the portal `success`, follow its redirect to `/profile` and load it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import socketio
from playwright.sync_api import Browser, WebSocket
from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState

from bench.common import open_live

NAMESPACE = "/_event"
# How often IA's frame asks whether the phone answered (its script's POLL_MS).
FRAME_POLL_SECONDS = 0.5
_CONNECT_PREFIX = f"40{NAMESPACE},"


@dataclasses.dataclass(frozen=True)
class Boot:
    """What a fresh page sends first, and the names of the state it talks to."""

    auth: dict[str, Any]
    backend_url: str  # where the page's socket goes (PORTAL_API_URL)
    signin_state: str  # the sign-in page's state, as event names spell it
    session_state: str  # the session's state, as deltas spell it
    root_state: str
    update_vars: str
    on_load: str


def learn_boot(browser: Browser, portal_url: str) -> Boot:
    """Load the sign-in page once in Chromium and keep what its socket sent."""
    sent: list[str] = []
    sockets: list[str] = []

    def watch(socket: WebSocket) -> None:
        sockets.append(socket.url)
        socket.on("framesent", lambda payload: sent.append(str(payload)))

    context = browser.new_context()
    page = context.new_page()
    page.on("websocket", watch)
    open_live(page, portal_url)
    context.close()
    socket_url = urlsplit(sockets[0])
    scheme = "https" if socket_url.scheme == "wss" else "http"

    connect = next(frame for frame in sent if frame.startswith(_CONNECT_PREFIX))
    auth = json.loads(connect.removeprefix(_CONNECT_PREFIX))
    events = [
        json.loads(frame[frame.index("[") :])[1]["name"]
        for frame in sent
        if frame.startswith(f"42{NAMESPACE},")
    ]
    page_opened = next(name for name in events if name.endswith(".page_opened"))
    signin_state = page_opened.removesuffix(".page_opened")
    return Boot(
        auth=auth,
        backend_url=f"{scheme}://{socket_url.netloc}",
        signin_state=signin_state,
        session_state=signin_state.rsplit(".", 1)[0],
        root_state=State.get_full_name(),
        # What a page sends after a redirect: its stored values, then on_load.
        update_vars=f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
        on_load=f"{OnLoadInternalState.get_full_name()}.on_load_internal",
    )


@dataclasses.dataclass
class Outcome:
    """How one sign-in went: seconds from Approve to the profile, or why not."""

    username: str
    seconds: float | None = None
    failure: str = ""


class _Page:
    """One tab's socket: events out, state deltas in (merged), redirects seen."""

    def __init__(self, boot: Boot, portal_url: str) -> None:
        self.boot = boot
        self.portal_url = portal_url
        self.token = str(uuid.uuid4())
        self.state: dict[str, dict[str, Any]] = {}
        self.redirects: list[str] = []
        self.changed = asyncio.Event()
        self.socket = socketio.AsyncClient(reconnection=False)
        self.socket.on("event", self._update, namespace=NAMESPACE)

    async def _update(self, update: dict[str, Any]) -> None:
        for name, values in (update.get("delta") or {}).items():
            self.state.setdefault(name, {}).update(values)
        for event in update.get("events") or []:
            if event.get("name") == "_redirect":
                self.redirects.append(event["payload"]["path"])
        self.changed.set()

    def var(self, state: str, name: str) -> Any:
        return self.state.get(state, {}).get(f"{name}_rx_state_")

    async def until(self, check: Any, seconds: float, what: str) -> Any:
        """Wait until `check()` is true (as the page re-renders on each update)."""
        deadline = time.monotonic() + seconds
        while not (found := check()):
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} within {seconds:g} s")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                continue
        return found

    async def connect(self) -> None:
        await self.socket.connect(
            f"{self.boot.backend_url}?token={self.token}",
            headers={"Origin": self.portal_url},
            auth=self.boot.auth,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path=NAMESPACE,
            wait_timeout=60,
        )

    async def send(self, name: str, path: str = "/", **payload: Any) -> None:
        event: dict[str, Any] = {
            "name": name,
            "router_data": {"pathname": path, "asPath": path},
        }
        if payload:
            event["payload"] = payload
        await self.socket.emit("event", event, namespace=NAMESPACE)


def _frame_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="ia-frame-config"[^>]*>(.*?)</script>', html, re.S)
    if found is None:
        raise RuntimeError("IA's frame has no configuration")
    config: dict[str, Any] = json.loads(found.group(1))
    return config


async def _frame_sees_approval(ia: httpx.AsyncClient, status_url: str) -> str:
    """Poll the request's status as IA's frame does; the login it posts."""
    while True:
        await asyncio.sleep(FRAME_POLL_SECONDS)
        answer = await ia.get(status_url)
        if answer.status_code != 200:
            continue  # the frame retries a lost poll
        body = answer.json()
        if body["status"] == "approved":
            login: str = body["usernameOrEmail"]
            return login
        if body["status"] != "pending":
            raise RuntimeError(f"IA's frame says {body['status']}: {body}")


async def ask_ia(
    ia: httpx.AsyncClient, frame_html: str, sandbox_url: str, username: str
) -> tuple[asyncio.Task[str], float]:
    """Type `username` in IA's frame, approve on the phone.

    Returns the frame's polling (done once it sees the approval) and when
    Approve was pressed (`time.perf_counter`).
    """
    config = _frame_config(frame_html)
    asked = await ia.post(
        f"{sandbox_url}{config['requestUrl']}",
        json={"frame": config["frame"], "usernameOrEmail": username},
    )
    asked.raise_for_status()
    polling = asyncio.create_task(
        _frame_sees_approval(ia, f"{sandbox_url}{asked.json()['statusUrl']}")
    )

    cards = (await ia.get(f"{sandbox_url}/app/{username}/requests")).json()
    request_id = cards["requests"][0]["id"]
    approved_at = time.perf_counter()
    approved = await ia.post(
        f"{sandbox_url}/app/{username}/requests/{request_id}/approve"
    )
    if approved.json().get("status") != "approved":
        polling.cancel()
        raise RuntimeError(f"the phone's Approve failed: {approved.text[:200]}")
    return polling, approved_at


async def signin(
    boot: Boot,
    portal_url: str,
    sandbox_url: str,
    username: str,
    seconds: float = 120,
) -> Outcome:
    """Sign `username` in on the portal as a fresh browser would."""
    outcome = Outcome(username)
    page = _Page(boot, portal_url)
    signin_state, session_state = boot.signin_state, boot.session_state
    async with httpx.AsyncClient(timeout=seconds, trust_env=False) as http:
        try:
            # The sign-in page, then its socket, hydrated.
            (await http.get(portal_url)).raise_for_status()
            await page.connect()
            await page.until(
                lambda: page.var(boot.root_state, "is_hydrated"), seconds, "hydration"
            )
            await page.send(f"{signin_state}.page_opened", showing=page.token)

            # The IA button: the portal points the frame at its redirect.
            await page.send(f"{signin_state}.open_frame")
            frame_src = await page.until(
                lambda: page.var(signin_state, "frame_src"), seconds, "frame"
            )
            frame = await http.get(frame_src, follow_redirects=True)
            frame.raise_for_status()
            polling, approved_at = await ask_ia(http, frame.text, sandbox_url, username)
            login = await asyncio.wait_for(polling, seconds)

            # The frame posts success; the button tells the portal, which
            # signs in and redirects; the profile page loads.
            await page.send(f"{signin_state}.ia_success", username_or_email=login)
            await page.send(f"{signin_state}.ia_close")
            await page.until(lambda: "/profile" in page.redirects, seconds, "redirect")
            stored = {
                f"{session_state}.{name}_rx_state_": page.var(session_state, name)
                for name in ("session_token", "browser_id")
            }
            await page.send(boot.update_vars, "/profile", vars=stored)
            await page.send(boot.on_load, "/profile")
            await page.until(
                lambda: (
                    page.var(session_state, "signed_in")
                    and page.var(session_state, "username") == username
                ),
                seconds,
                "profile",
            )
            outcome.seconds = time.perf_counter() - approved_at
        except Exception as error:  # every way a sign-in is lost is counted
            outcome.failure = f"{type(error).__name__}: {str(error)[:200]}"
        finally:
            await page.socket.disconnect()
    return outcome


async def floor_signin(
    floor_url: str,
    sandbox_url: str,
    frame_url: str,
    username: str,
    seconds: float = 120,
) -> Outcome:
    """The same sign-in on the bare floor page: IA's part alone."""
    outcome = Outcome(username)
    async with httpx.AsyncClient(timeout=seconds, trust_env=False) as http:
        try:
            (await http.get(floor_url)).raise_for_status()
            frame = await http.get(frame_url)
            frame.raise_for_status()
            polling, approved_at = await ask_ia(http, frame.text, sandbox_url, username)
            await asyncio.wait_for(polling, seconds)
            outcome.seconds = time.perf_counter() - approved_at
        except Exception as error:
            outcome.failure = f"{type(error).__name__}: {str(error)[:200]}"
    return outcome
