"""Start the real IA sandbox and the real portal (`reflex run`) for browser tests.

Each runs as its own process on its own free port with its own SQLite file, the
way `make run` starts them, so the tests cross real HTTP and real websockets.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "e2e-client"
CLIENT_SECRET = "e2e-secret-Zq81"
APPROVAL_TIMEOUT = 6
# The Fernet key that seals access tokens in the portal's database.
TOKEN_KEY = "S7d1Ui6KKM2r6x6_ai2ZVeK7r6VCxHQzTRWdCfCTG2c="


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class Stack:
    """Where the running portal and sandbox are, and their log files."""

    portal_url: str
    api_url: str
    sandbox_url: str
    portal_db: Path
    logs: dict[str, Path]
    # Stop and start the portal's backend alone (stacks run with split=True).
    stop_backend: Callable[[], None] | None = None
    start_backend: Callable[[], None] | None = None

    def log_text(self) -> str:
        texts = (path.read_text(errors="replace") for path in self.logs.values())
        return "\n".join(texts)


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    """Wait until `url` answers below 500; raise with the log's tail otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.5)
    tail = log.read_text()[-3000:]
    raise RuntimeError(f"{url} did not answer in {seconds} s:\n{tail}")


def stop(process: subprocess.Popen) -> None:
    """Stop a program started in a session of its own, children included."""
    # Each program runs in its own process group: stop it with its children.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


PORTAL_DB = "portal.db"


def stack_env(
    workdir: Path,
    portal_url: str,
    api_url: str,
    sandbox_url: str,
    web_dir: Path,
    settings: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment the sandbox and the portal of one stack both run with.

    Their databases and Reflex's saved states go in `workdir`; `web_dir` is
    the portal's own web build. `settings` overrides any of these settings.
    """
    callback_url = f"{api_url}/ia/callback"
    return {
        **os.environ,
        "IA_SERVER_URL": sandbox_url,
        "IA_CLIENT_ID": CLIENT_ID,
        "IA_CLIENT_SECRET": CLIENT_SECRET,
        "IA_CALLBACK_URL": callback_url,
        "IA_HTTP_TIMEOUT": "5",
        "PORTAL_URL": portal_url,
        "PORTAL_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{workdir / PORTAL_DB}",
        "TOKEN_ENCRYPTION_KEYS": TOKEN_KEY,
        "SIGNIN_CONFIRM_WINDOW": "60",
        "SANDBOX_URL": sandbox_url,
        "SANDBOX_DATABASE_URL": f"sqlite:///{workdir / 'sandbox.db'}",
        "SANDBOX_PARTNER_NAME": "IA Portal (tests)",
        "SANDBOX_PARTNER_CLIENT_ID": CLIENT_ID,
        "SANDBOX_PARTNER_CLIENT_SECRET": CLIENT_SECRET,
        "SANDBOX_PARTNER_DOMAIN": portal_url,
        "SANDBOX_PARTNER_CALLBACK_URL": callback_url,
        "SANDBOX_APPROVAL_TIMEOUT": str(APPROVAL_TIMEOUT),
        "SANDBOX_CODE_TTL": "30",
        "SANDBOX_CALLBACK_TIMEOUT": "5",
        # A web build of its own, so the tests never disturb a running demo
        # (nor one stack another).
        "REFLEX_WEB_WORKDIR": str(web_dir),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        **(settings or {}),
    }


def _web_dir(split: bool, prod: bool) -> str:
    return ".web-test" + ("-split" if split else "") + ("-prod" if prod else "")


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    split: bool = False,
    settings: Mapping[str, str] | None = None,
    prod: bool = False,
) -> Iterator[Stack]:
    """Run sandbox and portal until the block ends.

    With `split`, the portal's frontend and backend run as two processes, so a
    test can restart the backend alone (as a deploy would) under an open page.
    With `prod`, the portal runs as a deployment does (`reflex run --env prod`):
    a built frontend, served with the backend on one port.
    `settings` overrides those of `stack_env` (e.g. a longer approval timeout).
    """
    if split and prod:
        raise ValueError("a prod portal serves frontend and backend together")
    frontend, backend, sandbox = free_port(), free_port(), free_port()
    if prod:
        backend = frontend
    portal_url = f"http://localhost:{frontend}"
    api_url = f"http://localhost:{backend}"
    sandbox_url = f"http://localhost:{sandbox}"
    env = stack_env(
        workdir,
        portal_url,
        api_url,
        sandbox_url,
        web_dir=ROOT / _web_dir(split, prod),
        settings=settings,
    )
    reflex = str(Path(sys.executable).parent / "reflex")
    run = [reflex, "run", "--env", "prod" if prod else "dev", "--loglevel", "info"]
    commands = {"sandbox": [sys.executable, "-m", "ia_sandbox"]}
    if split:
        commands["frontend"] = [*run, "--frontend-only"]
        commands["portal"] = [*run, "--backend-only"]
    else:
        commands["portal"] = run
    logs = {name: workdir / f"{name}.log" for name in commands}

    # rxconfig sets both ports from the settings; Reflex refuses the other
    # side's port in a one-sided run, so each such process is told "none".
    envs = {
        "portal": {**env, "REFLEX_FRONTEND_PORT": "0"} if split else env,
        "frontend": {**env, "REFLEX_BACKEND_PORT": "0"},
        "sandbox": env,
    }

    def start(name: str) -> subprocess.Popen:
        with logs[name].open("ab") as log:
            return subprocess.Popen(
                commands[name],
                cwd=ROOT,
                env=envs[name],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    subprocess.run(
        [reflex, "db", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    processes = {}
    try:
        for name in commands:
            processes[name] = start(name)
        wait_for(f"{sandbox_url}/healthz", processes["sandbox"], logs["sandbox"], 60)
        wait_for(f"{api_url}/ping", processes["portal"], logs["portal"], 240)
        front = processes.get("frontend", processes["portal"])
        wait_for(portal_url, front, logs.get("frontend", logs["portal"]), 240)

        def stop_backend() -> None:
            stop(processes["portal"])

        def start_backend() -> None:
            processes["portal"] = start("portal")
            wait_for(f"{api_url}/ping", processes["portal"], logs["portal"], 120)

        yield Stack(
            portal_url,
            api_url,
            sandbox_url,
            workdir / PORTAL_DB,
            logs,
            stop_backend if split else None,
            start_backend if split else None,
        )
    finally:
        for process in reversed(list(processes.values())):
            stop(process)
