"""Callback throughput: IA's two server-to-server calls, 32 at a time.

`GET /ia/callback` (code exchange, user fetch, upsert) and `POST
/ia/callback` (re-sync of a known user) on the portal as deployed, beside its
floor (`floor_callback`: the same HTTP calls against the same sandbox and one
upsert, served the same way). Codes come from the sandbox's test controls,
for accounts of their own so that concurrent callbacks are for distinct
users, as they are when many people sign in.

Usage: `.venv/bin/python -m bench.callback_throughput [REQUESTS]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    Figure,
    add_accounts,
    machine,
    percentile,
    portal_stack,
    program,
    show_errors,
    table,
)
from bench.profile import profiled, summary
from tests.e2e.stack import CLIENT_ID, CLIENT_SECRET, Stack, free_port

CONCURRENCY = 32
ACCOUNTS = 64
ROUNDS = 2
FLOOR_IS = "a bare Starlette handler, same calls"

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclasses.dataclass(frozen=True)
class Run:
    """`count` requests sent CONCURRENCY at a time."""

    seconds: float
    latencies: list[float]
    failures: list[str]

    @property
    def rate(self) -> float:
        """Requests answered 200 per second."""
        return (len(self.latencies) - len(self.failures)) / self.seconds


async def _fire(base_url: str, count: int, send: Send) -> Run:
    """Send requests 0…count-1 with `send`, CONCURRENCY in flight at once."""
    latencies: list[float] = []
    failures: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)
    limits = httpx.Limits(max_connections=CONCURRENCY)

    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=120, trust_env=False
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                started = time.perf_counter()
                answer = await send(client, number)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return Run(time.perf_counter() - started, latencies, failures)


def issue_codes(sandbox_url: str, usernames: list[str], count: int) -> list[dict]:
    """`count` fresh codes with their states, for the accounts in turn."""

    async def issue() -> list[dict]:
        async def one(client: httpx.AsyncClient, number: int) -> httpx.Response:
            username = usernames[number % len(usernames)]
            return await client.post("/_sandbox/codes", json={"username": username})

        issued: list[dict] = []
        async with httpx.AsyncClient(base_url=sandbox_url, trust_env=False) as client:
            for start in range(0, count, 16):
                answers = await asyncio.gather(
                    *(one(client, n) for n in range(start, min(count, start + 16)))
                )
                issued.extend(answer.json() for answer in answers)
        return issued

    return asyncio.run(issue())


def approvals(base_url: str, codes: list[dict]) -> Run:
    """Send one GET callback per code, as IA does after each approval."""

    async def send(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.get("/ia/callback", params=codes[number])

    return asyncio.run(_fire(base_url, len(codes), send))


def resyncs(base_url: str, user_ids: list[int], count: int) -> Run:
    """Send `count` POST callbacks naming the known users in turn."""

    async def send(client: httpx.AsyncClient, number: int) -> httpx.Response:
        user_id = user_ids[number % len(user_ids)]
        return await client.post("/ia/callback", data={"user_id": str(user_id)})

    return asyncio.run(_fire(base_url, count, send))


@dataclasses.dataclass(frozen=True)
class Side:
    name: str
    url: str


@contextlib.contextmanager
def floor_handler(workdir: Path, stack: Stack) -> Iterator[Side]:
    """Serve `floor_callback` against the stack's sandbox, as Reflex serves."""
    port = free_port()
    env = {
        **os.environ,
        "IA_SERVER_URL": stack.sandbox_url,
        "IA_CLIENT_ID": CLIENT_ID,
        "IA_CLIENT_SECRET": CLIENT_SECRET,
        # The code was issued for the callback the sandbox has registered.
        "IA_CALLBACK_URL": f"{stack.api_url}/ia/callback",
        "FLOOR_DATABASE": str(workdir / "floor.db"),
    }
    granian = str(Path(sys.executable).parent / "granian")
    command = [
        *(granian, "--interface", "asgi", "--workers", "1"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        "bench.floor_callback:app",
    ]
    url = f"http://localhost:{port}"
    with program("floor-callback", command, env, f"{url}/healthz", workdir):
        yield Side("floor", url)


def _checked(run: Run, side: str, what: str) -> Run:
    """`run`, if every request in it was answered 200."""
    if run.failures:
        raise RuntimeError(
            f"{side} {what}: {len(run.failures)} failed: {run.failures[0]}"
        )
    return run


def measure(count: int, profile_dir: Path | None = None) -> list[Figure]:
    """`count` approvals then `count` re-syncs on each side, side by side.

    Each phase runs ROUNDS times, alternating portal and floor, and the best
    round of each counts: the other programs on this machine come and go.
    With `profile_dir`, the portal's first round of each phase is sampled
    with py-spy into `get.txt` and `post.txt` there (see `bench.profile`).
    """
    get: dict[str, list[Run]] = {"portal": [], "floor": []}
    post: dict[str, list[Run]] = {"portal": [], "floor": []}
    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as running:
        workdir = Path(name)
        stack = running.enter_context(portal_stack(workdir))
        sides = [
            Side("portal", stack.api_url),
            running.enter_context(floor_handler(workdir, stack)),
        ]
        usernames = add_accounts(stack.sandbox_url, ACCOUNTS)

        def sampled(phase: str, side: Side, round_: int) -> Any:
            if profile_dir is None or side.name != "portal" or round_ > 0:
                return contextlib.nullcontext()
            return profiled(stack.portal_url, profile_dir / f"{phase}.txt")

        # A first round of each, unmeasured, signs every account in once.
        for side in sides:
            warm = issue_codes(stack.sandbox_url, usernames, ACCOUNTS)
            _checked(approvals(side.url, warm), side.name, "warm-up")
        user_ids = [int(code["state"].split("@@")[0]) for code in warm]

        for round_ in range(ROUNDS):
            for side in sides:
                codes = issue_codes(stack.sandbox_url, usernames, count)
                with sampled("get", side, round_):
                    run = approvals(side.url, codes)
                get[side.name].append(run)
        for round_ in range(ROUNDS):
            for side in sides:
                with sampled("post", side, round_):
                    run = resyncs(side.url, user_ids, count)
                post[side.name].append(run)
        if any(run.failures for run in [*get["portal"], *post["portal"]]):
            show_errors(stack, "callback throughput")

    def figures(what: str, runs: dict[str, list[Run]]) -> list[Figure]:
        best = {
            side: max(tries, key=lambda run: run.rate) for side, tries in runs.items()
        }
        p95 = {side: percentile(run.latencies, 0.95) for side, run in best.items()}
        label = f"{what}, {CONCURRENCY} concurrent, best of {ROUNDS} × {count}"
        failed = {
            side: [f for run in tries for f in run.failures]
            for side, tries in runs.items()
        }
        note = ""
        if failed["portal"] or failed["floor"]:
            note = (
                f"{what}: answers other than 200 in {ROUNDS * count} requests: "
                + ", ".join(
                    f"{side} {len(errors)}"
                    + (f" (first: {errors[0]})" if errors else "")
                    for side, errors in failed.items()
                )
            )
        return [
            Figure(
                label,
                "req/s",
                best["portal"].rate,
                best["floor"].rate,
                FLOOR_IS,
                higher_is_better=True,
                note=note,
            ),
            Figure(
                f"{what}, p95 latency at {CONCURRENCY} concurrent",
                "s",
                p95["portal"],
                p95["floor"],
                FLOOR_IS,
            ),
        ]

    return [
        *figures("GET callback (code exchange, user fetch, upsert)", get),
        *figures("POST callback (re-sync)", post),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests", type=int, nargs="?", default=640)
    parser.add_argument("--profile", type=Path, help="sample the portal into here")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    figures = measure(args.requests, args.profile)
    print(f"Machine: {machine()}\n")
    print(table(figures))
    if args.profile:
        for phase in ("get", "post"):
            found = summary(args.profile / f"{phase}.txt")
            print(f"\nportal, {phase.upper()} phase: {found}")


if __name__ == "__main__":
    main()
