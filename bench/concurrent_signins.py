"""Concurrent sign-ins: 200 started within a few seconds, over HTTP and websockets.

Each sign-in is a fresh browser's, driven by `browserless` (no browser per
sign-in) for an IA account of its own; the floor is the same sign-ins on the
bare floor page (IA's part alone: frame, phone, the frame seeing the approval).
Counts the sign-ins that reached the profile and the p95 from Approve to it;
a lost one is any that did not, whatever the reason.

Usage: `.venv/bin/python -m bench.concurrent_signins [--signins N]
[--workers N] [--portal URL ...] [--sandbox URL]`. By default it starts its
own stack with 2 backend workers, as `make run-scaled` runs it (Redis and
PostgreSQL; `--workers 1`: the portal as `reflex run --env prod` runs it);
with `--portal` (one or more page URLs, sign-ins spread over them in turn)
and `--sandbox` it drives a running stack, whose sandbox must have its test
controls on (accounts are added through them).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa

from bench.browserless import Outcome, floor_signin, learn_boot, signin
from bench.common import (
    BENCH_SETTINGS,
    WEB_DIR,
    Figure,
    add_accounts,
    chromium,
    floor_site,
    machine,
    percentile,
    portal_stack,
    program,
    table,
)
from bench.profile import profiled, summary
from tests.e2e.stack import ROOT, free_port, stack_env, wait_for

SIGNINS = 200
WORKERS = 2
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
    portal_urls: Sequence[str],
    sandbox_url: str,
    count: int,
    workdir: Path,
    profile: Path | None = None,
) -> tuple[list[Outcome], list[Outcome]]:
    """The sign-ins on the portal (spread over `portal_urls`), then the floor's.

    With `profile`, the portal's backend is sampled with py-spy meanwhile.
    """
    with chromium() as browser:
        boots = {url: learn_boot(browser, url) for url in set(portal_urls)}
    usernames = add_accounts(sandbox_url, count, prefix="crowd")

    async def on_portal(number: int, username: str) -> Outcome:
        portal_url = portal_urls[number % len(portal_urls)]
        return await signin(boots[portal_url], portal_url, sandbox_url, username)

    sampled = profiled(portal_urls[0], profile) if profile else contextlib.nullcontext()
    with sampled:
        portal = asyncio.run(_all(usernames, on_portal))

    with floor_site(workdir / "floor") as floor:
        floor_users = add_accounts(floor.sandbox_url, count, prefix="crowd")

        async def on_floor(_number: int, username: str) -> Outcome:
            return await floor_signin(
                floor.page_url, floor.sandbox_url, floor.frame_url, username
            )

        bare = asyncio.run(_all(floor_users, on_floor))
    return portal, bare


def _service_url(function: str) -> str:
    """A local server's URL from `scripts/services.sh` (installed if missing)."""
    done = subprocess.run(
        ["bash", "-c", f". scripts/services.sh && {function}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@contextlib.contextmanager
def _database(server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    name = f"portal_bench_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(server_url).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@contextlib.contextmanager
def scaled_stack(workdir: Path, workers: int) -> Iterator[tuple[str, str]]:
    """`scripts/run-scaled` with `workers` backend workers (Redis, PostgreSQL).

    On ports, a database and a Redis database of its own; the benchmarks'
    settings otherwise. Yields the portal's and the sandbox's URLs.
    """
    portal_url, api_url, sandbox_url = (
        f"http://localhost:{free_port()}" for _ in range(3)
    )
    redis = _service_url("redis_server_url").rsplit("/", 1)[0]
    with _database(_service_url("postgres_server_url")) as database_url:
        settings = {
            **BENCH_SETTINGS,
            "REFLEX_WEB_WORKDIR": str(ROOT / ".web-bench-scaled"),
            "DATABASE_URL": database_url,
            # Database 2: apart from a demo's (0) and the tests' (1) tab states.
            "REDIS_URL": f"{redis}/2",
        }
        env = stack_env(workdir, portal_url, api_url, sandbox_url, WEB_DIR, settings)
        command = ["scripts/run-scaled", str(workers)]
        with program("scaled", command, env, portal_url, workdir) as running:
            wait_for(f"{api_url}/ping", running, workdir / "scaled.log", 240)
            wait_for(f"{sandbox_url}/healthz", running, workdir / "scaled.log", 60)
            yield portal_url, sandbox_url


def measure(
    count: int = SIGNINS,
    portal_urls: Sequence[str] = (),
    sandbox_url: str = "",
    workers: int = WORKERS,
    profile: Path | None = None,
) -> list[Figure]:
    """Run the sign-ins against the given stack, or a stack of its own.

    A stack of its own has `workers` backend workers: with more than one, the
    one `make run-scaled` runs (Redis and PostgreSQL); with one, the portal as
    `reflex run --env prod` runs it (SQLite, tab states in memory).
    """
    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as running:
        workdir = Path(name)
        if portal_urls:
            how = "the given stack"
        elif workers > 1:
            portal_url, sandbox_url = running.enter_context(
                scaled_stack(workdir, workers)
            )
            portal_urls = [portal_url]
            how = f"{workers} workers (make run-scaled: Redis, PostgreSQL)"
        else:
            stack = running.enter_context(portal_stack(workdir))
            portal_urls, sandbox_url = [stack.portal_url], stack.sandbox_url
            how = "1 worker (reflex run --env prod: SQLite, states in memory)"
        portal, floor = drive(portal_urls, sandbox_url, count, workdir, profile)
    return _figures(portal, floor, how)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signins", type=int, default=SIGNINS)
    parser.add_argument("--portal", action="append", default=[], help="portal URL")
    parser.add_argument("--sandbox", default="", help="the running stack's sandbox")
    parser.add_argument("--workers", type=int, default=WORKERS, help="own stack's")
    parser.add_argument("--profile", type=Path, help="sample the portal into this")
    args = parser.parse_args()
    if bool(args.portal) != bool(args.sandbox):
        sys.exit("give --portal and --sandbox together, or neither")

    figures = measure(
        args.signins, args.portal, args.sandbox, args.workers, args.profile
    )
    print(f"Machine: {machine()}\n")
    print(table(figures))
    if args.profile:
        print(f"\nportal's backend: {summary(args.profile)}")


if __name__ == "__main__":
    main()
