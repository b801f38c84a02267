"""Concurrent sign-ins: 200 started within a few seconds, over HTTP and websockets.

Each sign-in is a fresh browser's, driven by `browserless` (no browser per
sign-in) for an IA account of its own; the floor is the same sign-ins on the
bare floor page (IA's part alone: frame, phone, the frame seeing the approval).
Counts the sign-ins that reached the profile and the p95 from Approve to it;
a lost one is any that did not, whatever the reason.

Usage: `.venv/bin/python -m bench.concurrent_signins [--signins N]
[--portal URL ...] [--sandbox URL]`. By default it starts its own portal (prod
mode) and sandbox; with `--portal` (one or more URLs, sign-ins spread over
them in turn) and `--sandbox` it drives a running stack, whose sandbox must
have its test controls on (accounts are added through them).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bench.browserless import Outcome, floor_signin, learn_boot, signin
from bench.common import (
    Figure,
    add_accounts,
    chromium,
    machine,
    percentile,
    portal_stack,
    table,
)
from bench.signin_latency import floor_site

SIGNINS = 200
# All sign-ins start within this many seconds, evenly spread.
START_WITHIN = 4.0
FLOOR_IS = "IA's part alone (bare page)"

Start = Callable[[int, str], Awaitable[Outcome]]


async def _all(usernames: Sequence[str], start: Start) -> list[Outcome]:
    gap = START_WITHIN / len(usernames)

    async def one(number: int, username: str) -> Outcome:
        await asyncio.sleep(number * gap)
        return await start(number, username)

    return list(await asyncio.gather(*(one(n, u) for n, u in enumerate(usernames))))


def _figures(portal: list[Outcome], floor: list[Outcome], workers: str) -> list[Figure]:
    done = {
        side: [o.seconds for o in runs if o.seconds is not None]
        for side, runs in (("portal", portal), ("floor", floor))
    }
    lost = collections.Counter(o.failure for o in portal if o.failure)
    causes = "; ".join(f"{count}× {cause}" for cause, count in lost.most_common(3))
    note = (
        f"{len(portal)} sign-ins started within {START_WITHIN:g} s against {workers}; "
        f"lost on the portal: {len(portal) - len(done['portal'])}"
        + (f" ({causes})" if causes else "")
        + f"; lost on the floor: {len(floor) - len(done['floor'])}."
    )
    what = f"{len(portal)} concurrent sign-ins (HTTP + websockets)"
    figures = [
        Figure(
            f"{what}: completed",
            "",
            len(done["portal"]),
            len(done["floor"]),
            FLOOR_IS,
            higher_is_better=True,
            note=note,
        )
    ]
    if done["portal"] and done["floor"]:
        figures.append(
            Figure(
                f"{what}: p95, Approve → profile",
                "s",
                percentile(done["portal"], 0.95),
                percentile(done["floor"], 0.95),
                FLOOR_IS,
            )
        )
    return figures


def drive(
    portal_urls: Sequence[str], sandbox_url: str, count: int, workdir: Path
) -> tuple[list[Outcome], list[Outcome]]:
    """The sign-ins on the portal (spread over `portal_urls`), then the floor's."""
    with chromium() as browser:
        boot = learn_boot(browser, portal_urls[0])
    usernames = add_accounts(sandbox_url, count, prefix="crowd")

    async def on_portal(number: int, username: str) -> Outcome:
        portal_url = portal_urls[number % len(portal_urls)]
        return await signin(boot, portal_url, sandbox_url, username)

    portal = asyncio.run(_all(usernames, on_portal))

    with floor_site(workdir / "floor") as floor:
        floor_users = add_accounts(floor.sandbox_url, count, prefix="crowd")

        async def on_floor(_number: int, username: str) -> Outcome:
            return await floor_signin(
                floor.page_url, floor.sandbox_url, floor.frame_url, username
            )

        bare = asyncio.run(_all(floor_users, on_floor))
    return portal, bare


def measure(
    count: int = SIGNINS,
    portal_urls: Sequence[str] = (),
    sandbox_url: str = "",
    workers: str = "1 worker (Reflex prod without Redis)",
) -> list[Figure]:
    """Run the sign-ins against the given stack, or a stack of its own."""
    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as running:
        workdir = Path(name)
        if not portal_urls:
            stack = running.enter_context(portal_stack(workdir))
            portal_urls, sandbox_url = [stack.portal_url], stack.sandbox_url
        portal, floor = drive(portal_urls, sandbox_url, count, workdir)
    return _figures(portal, floor, workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signins", type=int, default=SIGNINS)
    parser.add_argument("--portal", action="append", default=[], help="portal URL")
    parser.add_argument("--sandbox", default="", help="the running stack's sandbox")
    parser.add_argument(
        "--workers", default="", help="how the portal runs, for the table"
    )
    args = parser.parse_args()
    if bool(args.portal) != bool(args.sandbox):
        sys.exit("give --portal and --sandbox together, or neither")

    figures = measure(
        args.signins,
        args.portal,
        args.sandbox,
        args.workers or "1 worker (Reflex prod without Redis)",
    )
    print(f"Machine: {machine()}\n")
    print(table(figures))


if __name__ == "__main__":
    main()
