"""Page weight: the bytes Chromium transfers to show the sign-in page.

The portal's sign-in page, served as deployed (prod mode), beside the page of
a blank Reflex app (`reflex init --template blank`, the same Reflex) served
the same way. Each page is loaded in a fresh browser profile (nothing cached)
until its state is hydrated and the network is idle; what counts is every
HTTP response's size on the wire, headers included (the websocket's frames
are not HTTP and are left out).

Usage: `.venv/bin/python -m bench.page_weight`.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser

from bench.common import (
    PROD,
    Figure,
    blank_app,
    blank_env,
    chromium,
    machine,
    migrated,
    open_live,
    portal_env,
    program,
    table,
)
from tests.e2e.stack import ROOT, free_port

FLOOR_IS = "a blank Reflex app's page, prod"


def transferred(browser: Browser, url: str) -> tuple[int, int]:
    """Bytes on the wire and responses, loading `url` with an empty cache."""
    context = browser.new_context()
    page = context.new_page()
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    sizes: dict[str, int] = {}

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    network.on("Network.loadingFinished", finished)
    open_live(page, url)
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(sizes.values()), len(sizes)


@contextlib.contextmanager
def served_pages(workdir: Path) -> Iterator[tuple[str, str]]:
    """The portal and the blank app, each in prod mode; their page URLs."""
    portal_url = f"http://localhost:{free_port()}"
    env = portal_env(workdir, portal_url)
    migrated(env)
    folder, blank = blank_app(workdir)
    blank_url = f"http://localhost:{free_port()}"
    with (
        program("portal", PROD, env, portal_url, workdir, cwd=ROOT),
        program(
            "blank", PROD, blank_env(blank, blank_url), blank_url, workdir, cwd=folder
        ),
    ):
        yield portal_url, blank_url


def measure() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory() as name,
        served_pages(Path(name)) as urls,
        chromium() as browser,
    ):
        (portal, portal_count), (blank, blank_count) = (
            transferred(browser, url) for url in urls
        )
    return [
        Figure(
            "sign-in page weight, Chromium, empty cache",
            "B",
            portal,
            blank,
            FLOOR_IS,
            note=f"responses: portal {portal_count}, blank app {blank_count}.",
        )
    ]


if __name__ == "__main__":
    figures = measure()
    print(f"Machine: {machine()}\n")
    print(table(figures))
