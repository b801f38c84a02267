"""The client secret and IA's access tokens never reach the portal's pages.

The frame's URL must carry the secret (IA's design); the portal builds it only
in the `/ia/frame/…` redirect. Everything else the browser receives from the
portal (HTML, scripts and bundles, state over the websocket, storage) and both
programs' logs are checked here.
"""

from __future__ import annotations

import sqlite3

from cryptography.fernet import Fernet
from playwright.sync_api import Page, Response

from tests.e2e.flows import sign_in
from tests.e2e.stack import CLIENT_SECRET, TOKEN_KEY, Stack


def _access_tokens(stack: Stack) -> list[str]:
    """The real tokens: the database holds them sealed with the stack's key."""
    with sqlite3.connect(stack.portal_db) as connection:
        rows = connection.execute(
            "SELECT access_token FROM ia_user WHERE access_token IS NOT NULL"
        ).fetchall()
    fernet = Fernet(TOKEN_KEY)
    return [fernet.decrypt(row[0].encode()).decode() for row in rows]


def test_secret_and_tokens_stay_out_of_the_browser(
    page: Page, phone: Page, stack: Stack
):
    bodies: list[str] = []

    def keep(response: Response) -> None:
        from_portal = response.url.startswith((stack.portal_url, stack.api_url))
        if from_portal and "/ia/frame/" not in response.url:
            try:
                bodies.append(response.text())
            except Exception:  # redirects and aborted loads have no body
                return

    page.on("response", keep)
    # Reflex sends its state over a websocket: every frame counts too.
    page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived", lambda frame: bodies.append(str(frame))
        ),
    )
    sign_in(page, phone, stack, "ada", "ada")
    page.reload()
    page.locator("#profile").wait_for()

    seen = "\n".join(
        [
            *bodies,
            page.content(),
            page.evaluate("() => JSON.stringify(window.localStorage)"),
            page.evaluate("() => JSON.stringify(window.sessionStorage)"),
            page.evaluate("() => document.cookie"),
        ]
    )
    tokens = _access_tokens(stack)
    assert tokens, "the sign-in stored no access token"
    logs = stack.log_text()
    assert "callback received for IA user" in logs, "the portal's log was not read"
    assert CLIENT_SECRET not in logs
    assert len(bodies) > 5, "the page's own resources were not observed"
    assert any("Ada Lovelace" in body for body in bodies), "no state was observed"
    assert CLIENT_SECRET not in seen
    for token in tokens:
        assert token not in seen
