"""Cold start: from the command to the first page served, in prod mode.

`reflex run --env prod` for the portal (its database already migrated, as
`make run` leaves it) beside the same command for a blank Reflex app (`reflex
init --template blank`, the same Reflex). Both build their frontend on every
start, so each pays for a build; their front-end packages are installed by a
first start that is not timed. Starts alternate; the median counts.

Usage: `.venv/bin/python -m bench.cold_start [STARTS]`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from bench.common import (
    PROD,
    Figure,
    blank_app,
    blank_env,
    machine,
    median,
    migrated,
    portal_env,
    table,
)
from tests.e2e.stack import ROOT, free_port, stop

FLOOR_IS = "a blank Reflex app, prod"
LIMIT_SECONDS = 600


def first_page(cwd: Path, env: Mapping[str, str], url: str, log: Path) -> float:
    """Start `reflex run --env prod`; seconds until `url` first answers 200."""
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            PROD,
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        while time.perf_counter() - started < LIMIT_SECONDS:
            if process.poll() is not None:
                raise RuntimeError(f"{url} exited early: {log.read_text()[-2000:]}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{url} served nothing within {LIMIT_SECONDS} s")
    finally:
        stop(process)


def measure(starts: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        folder, blank = blank_app(workdir)

        def portal() -> float:
            url = f"http://localhost:{free_port()}"
            env = portal_env(workdir, url)
            migrated(env)
            return first_page(ROOT, env, url, workdir / "portal.log")

        def bare() -> float:
            url = f"http://localhost:{free_port()}"
            return first_page(folder, blank_env(blank, url), url, workdir / "blank.log")

        # Untimed: installs each app's front-end packages once.
        portal(), bare()
        timed = [(portal(), bare()) for _ in range(starts)]

    return [
        Figure(
            f"cold start, command → first page, prod (median of {starts})",
            "s",
            median([pair[0] for pair in timed]),
            median([pair[1] for pair in timed]),
            FLOOR_IS,
        )
    ]


if __name__ == "__main__":
    figures = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    print(f"Machine: {machine()}\n")
    print(table(figures))
