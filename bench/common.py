"""What the benchmarks share: the programs they run, Chromium, and the table.

Every figure is measured side by side with its floor, in the same run, and
reported as a `Figure`: both absolute values and how many times worse the
portal is (1.0 means as good as the floor).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Browser, Page, WebSocket, sync_playwright

from tests.conftest import CHROMIUM_FLAGS, _chromium_path
from tests.e2e.stack import (
    CLIENT_ID,
    CLIENT_SECRET,
    ROOT,
    Stack,
    free_port,
    running_stack,
    stack_env,
    stop,
    wait_for,
)

# The benchmarks' portal has a web build of its own, apart from the tests'.
WEB_DIR = ROOT / ".web-bench"
# The stack as deployed (prod mode), with the sandbox's test controls on so a
# benchmark can add accounts and take codes without the phone; codes and
# requests live long enough for a slow, loaded machine.
BENCH_SETTINGS = {
    "REFLEX_WEB_WORKDIR": str(WEB_DIR),
    "SANDBOX_TEST_CONTROLS": "true",
    "SANDBOX_CODE_TTL": "600",
    "SANDBOX_APPROVAL_TIMEOUT": "120",
    "SANDBOX_CALLBACK_TIMEOUT": "30",
    "IA_HTTP_TIMEOUT": "30",
    "SIGNIN_CONFIRM_WINDOW": "600",
}


@dataclasses.dataclass(frozen=True)
class Figure:
    """One measured figure of the portal beside the same figure of its floor.

    `ratio` is how many times worse the portal is: portal / floor for a cost
    (seconds, bytes), floor / portal for a rate (requests per second).
    """

    what: str
    unit: str
    portal: float
    floor: float
    floor_is: str
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.floor / self.portal if self.portal else float("inf")
        return self.portal / self.floor if self.floor else float("inf")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.95 for p95) of `values`."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _number(value: float, unit: str) -> str:
    if not unit:  # a count
        return f"{value:,.0f}"
    if unit == "B":
        return f"{value / 1024:,.0f} KiB" if value >= 10240 else f"{value:,.0f} B"
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.2f} s"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:,.1f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table, notes under it."""
    lines = [
        "| figure | portal | floor | ratio | the floor |",
        "|---|---:|---:|---:|---|",
    ]
    notes = []
    for figure in figures:
        mark = ""
        if figure.note:
            notes.append(figure.note)
            mark = f" ({len(notes)})"
        lines.append(
            f"| {figure.what}{mark} | {_number(figure.portal, figure.unit)} "
            f"| {_number(figure.floor, figure.unit)} | {figure.ratio:.2f}× "
            f"| {figure.floor_is} |"
        )
    lines.append("")
    lines.append(
        "ratio: how many times the portal's cost is the floor's (for a rate: the "
        "floor's rate over the portal's); 1.00× is as good as the floor."
    )
    lines.extend(f"({number}) {note}" for number, note in enumerate(notes, start=1))
    return "\n".join(lines)


def machine() -> str:
    """Cores, CPU model and RAM of this machine, as /proc tells them."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = next(
        int(line.split()[1])
        for line in meminfo.splitlines()
        if line.startswith("MemTotal")
    )
    model = models[0] if models else "unknown CPU"
    return f"{len(models)} cores, {model}, {total_kib / 1024 / 1024:.1f} GiB RAM"


@contextlib.contextmanager
def portal_stack(
    workdir: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """The sandbox and the portal in prod mode, with the benchmarks' settings."""
    with running_stack(
        workdir, prod=True, settings={**BENCH_SETTINGS, **(settings or {})}
    ) as stack:
        yield stack


@contextlib.contextmanager
def program(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str],
    ready_url: str,
    workdir: Path,
    cwd: Path = ROOT,
) -> Iterator[subprocess.Popen]:
    """Run `command` (its output in `workdir`/`name`.log) until the block ends.

    The block starts once `ready_url` answers.
    """
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_for(ready_url, process, log, 240)
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, as the browser tests run it."""
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=_chromium_path(), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def open_live(page: Page, url: str, seconds: float = 60) -> None:
    """Open a Reflex page and wait until its state is hydrated over the socket.

    In prod mode the HTML is prerendered: a click before hydration is lost.
    """
    hydrated: list[bool] = []

    def watch(socket: WebSocket) -> None:
        def seen(payload: str | bytes) -> None:
            if isinstance(payload, str) and '"is_hydrated_rx_state_":true' in payload:
                hydrated.append(True)

        socket.on("framereceived", seen)

    page.on("websocket", watch)
    page.goto(url)
    deadline = time.monotonic() + seconds
    while not hydrated:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} was not hydrated within {seconds} s")
        page.wait_for_timeout(20)
    page.remove_listener("websocket", watch)


def add_accounts(sandbox_url: str, count: int, prefix: str = "bench") -> list[str]:
    """Add `count` accounts to the sandbox (test controls on); their usernames.

    Each has its own email and phone, so each signs in as a distinct IA user.
    """
    usernames = [f"{prefix}-{number:03d}" for number in range(count)]
    with httpx.Client(base_url=sandbox_url, trust_env=False, timeout=30) as client:
        for username in usernames:
            added = client.post(
                "/_sandbox/users",
                json={
                    "username": username,
                    "name": f"Bench User {username[-3:]}",
                    "email": f"{username}@example.com",
                    "phone": f"+1 555 0{username[-3:]}",
                },
            )
            if added.status_code != 201:
                raise RuntimeError(f"could not add {username}: {added.text}")
    return usernames


REFLEX = str(Path(sys.executable).parent / "reflex")
PROD = [REFLEX, "run", "--env", "prod", "--loglevel", "info"]


def portal_env(workdir: Path, url: str) -> dict[str, str]:
    """The portal's settings to serve its pages at `url` (no sandbox needed)."""
    unused_ia = f"http://localhost:{free_port()}"
    return stack_env(workdir, url, url, unused_ia, WEB_DIR, settings=BENCH_SETTINGS)


def migrated(env: Mapping[str, str]) -> None:
    """Create the portal's tables for `env`'s database, as `make run` does."""
    subprocess.run(
        [REFLEX, "db", "migrate"],
        cwd=ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
    )


def blank_app(parent: Path) -> tuple[Path, dict[str, str]]:
    """A blank Reflex app made by `reflex init --template blank` (this Reflex).

    Returns its folder and the environment that serves it in prod mode on one
    port, as the portal is served; the port is chosen per run (`blank_env`).
    """
    folder = parent / "blank"
    folder.mkdir()
    env = {**os.environ, "REFLEX_TELEMETRY_ENABLED": "false"}
    subprocess.run(
        [REFLEX, "init", "--template", "blank"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    return folder, env


def blank_env(env: Mapping[str, str], url: str) -> dict[str, str]:
    """`env` with the blank app's frontend and backend both at `url`."""
    port = url.rsplit(":", 1)[1]
    return {
        **env,
        "REFLEX_FRONTEND_PORT": port,
        "REFLEX_BACKEND_PORT": port,
        "REFLEX_API_URL": url,
        "REFLEX_DEPLOY_URL": url,
    }


def show_errors(stack: Stack, what: str) -> None:
    """Print the stack's first logged traceback (if any) to stderr: the logs go
    with the run's temporary folder."""
    text = stack.log_text()
    start = text.find("Traceback")
    if start >= 0:
        print(
            f"{what}: the first error logged:\n{text[start : start + 4000]}",
            file=sys.stderr,
        )


@dataclasses.dataclass(frozen=True)
class Floor:
    """The bare page and the sandbox registered for it."""

    page_url: str
    sandbox_url: str

    @property
    def frame_url(self) -> str:
        query = urlencode({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
        return f"{self.sandbox_url}/api/partner/authorize/view?{query}"


@contextlib.contextmanager
def floor_site(workdir: Path) -> Iterator[Floor]:
    """Serve the bare page, and a sandbox whose partner it is."""
    workdir.mkdir(exist_ok=True)
    page_url = f"http://localhost:{free_port()}"
    sandbox_url = f"http://localhost:{free_port()}"
    env = stack_env(
        workdir, page_url, page_url, sandbox_url, WEB_DIR, settings=BENCH_SETTINGS
    )
    page = [sys.executable, "-m", "bench.floor_site", page_url.rsplit(":", 1)[1]]
    sandbox = [sys.executable, "-m", "ia_sandbox"]
    with (
        program("floor-page", page, env, page_url, workdir),
        program("floor-sandbox", sandbox, env, f"{sandbox_url}/healthz", workdir),
    ):
        yield Floor(page_url, sandbox_url)
