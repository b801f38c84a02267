"""A portal with two backend workers that share Redis and PostgreSQL, for tests.

The processes are those `make run-scaled` starts (production frontend build,
production backend workers), except that the two workers listen on two ports
instead of sharing one, so a test decides which worker gets what: the
browser's websocket and IA's frame go to the *socket* worker (PORTAL_API_URL),
IA's callbacks to the *callback* worker (IA_CALLBACK_URL). Whatever reaches
the tab after a callback has therefore crossed from one worker to the other.

Needs `PORTAL_TEST_POSTGRES` (a PostgreSQL server URL; each stack makes a
database of its own there) and `PORTAL_TEST_REDIS` (a Redis URL);
`make test-scaled` sets both.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

from tests.e2e.stack import (
    ROOT,
    Stack,
    free_port,
    stack_env,
    stop,
)
from tests.e2e.stack import wait_for as wait_for_url

POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "")
REDIS = os.environ.get("PORTAL_TEST_REDIS", "")
WORKERS = ("socket", "callback")


@dataclasses.dataclass
class ScaledStack(Stack):
    """A running two-worker stack. `portal_db` is unused: see `database_url`.

    `stop_worker(name)` (SIGTERM, a clean stop), `kill_worker(name)` (SIGKILL,
    as a crash) and `start_worker(name)` restart one worker ("socket" or
    "callback") while everything else keeps running.
    """

    callback_api_url: str = ""
    database_url: str = ""
    stop_worker: Callable[[str], None] | None = None
    kill_worker: Callable[[str], None] | None = None
    start_worker: Callable[[str], None] | None = None

    def query(self, sql: str) -> list[tuple]:
        """Rows of a read-only query on the portal's PostgreSQL database."""
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sa.text(sql))]
        finally:
            engine.dispose()

    def worker_log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server, dropped afterwards."""
    name = f"portal_scaled_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.make_url(POSTGRES)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@dataclasses.dataclass(frozen=True)
class _Ports:
    frontend: int = dataclasses.field(default_factory=free_port)
    socket: int = dataclasses.field(default_factory=free_port)
    callback: int = dataclasses.field(default_factory=free_port)
    sandbox: int = dataclasses.field(default_factory=free_port)

    def url(self, port: int) -> str:
        return f"http://localhost:{port}"


def _settings(workdir: Path, ports: _Ports, database_url: str) -> dict[str, str]:
    """What every process of the stack is told, as `make run-scaled` would."""
    callback_url = f"{ports.url(ports.callback)}/ia/callback"
    return stack_env(
        workdir,
        portal_url=ports.url(ports.frontend),
        # Every worker knows the one public backend URL, as behind a proxy.
        api_url=ports.url(ports.socket),
        sandbox_url=ports.url(ports.sandbox),
        web_dir=ROOT / ".web-test-scaled",
        settings={
            # IA calls the other worker than the one holding the tab's socket.
            "IA_CALLBACK_URL": callback_url,
            "SANDBOX_PARTNER_CALLBACK_URL": callback_url,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS,
            # Long enough for a worker to restart while the phone waits.
            "SANDBOX_APPROVAL_TIMEOUT": "90",
            # One process per worker: which one gets what is the test's choice.
            "GRANIAN_WORKERS": "1",
        },
    )


@contextlib.contextmanager
def running_scaled_stack(workdir: Path) -> Iterator[ScaledStack]:
    """Run sandbox, frontend and the two workers until the block ends."""
    ports = _Ports()
    with _database() as database_url:
        env = _settings(workdir, ports, database_url)
        reflex = str(Path(sys.executable).parent / "reflex")
        prod = [reflex, "run", "--env", "prod", "--loglevel", "info"]
        commands = {
            "sandbox": [sys.executable, "-m", "ia_sandbox"],
            "frontend": [*prod, "--frontend-only"],
            "socket": [*prod, "--backend-only"],
            "callback": [*prod, "--backend-only"],
        }
        # rxconfig sets both ports from the settings; Reflex refuses the other
        # side's port in a one-sided run, so each is told "none" for it. The
        # callback worker is told its own port.
        envs = {
            "sandbox": env,
            "frontend": {**env, "REFLEX_BACKEND_PORT": "0"},
            "socket": {**env, "REFLEX_FRONTEND_PORT": "0"},
            "callback": {
                **env,
                "REFLEX_FRONTEND_PORT": "0",
                "REFLEX_BACKEND_PORT": str(ports.callback),
            },
        }
        answers = {
            "sandbox": (f"{ports.url(ports.sandbox)}/healthz", 60),
            "socket": (f"{ports.url(ports.socket)}/ping", 240),
            "callback": (f"{ports.url(ports.callback)}/ping", 240),
            "frontend": (ports.url(ports.frontend), 300),
        }
        logs = {name: workdir / f"{name}.log" for name in commands}
        processes: dict[str, subprocess.Popen] = {}

        def start_worker(name: str) -> None:
            with logs[name].open("ab") as log:
                processes[name] = subprocess.Popen(
                    commands[name],
                    cwd=ROOT,
                    env=envs[name],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )

        def wait_for(name: str) -> None:
            url, seconds = answers[name]
            wait_for_url(url, processes[name], logs[name], seconds)

        def kill_worker(name: str) -> None:
            os.killpg(processes[name].pid, signal.SIGKILL)
            processes[name].wait(timeout=15)

        def restart_worker(name: str) -> None:
            start_worker(name)
            wait_for(name)

        migrate = [reflex, "db", "migrate"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
        try:
            for name in commands:
                start_worker(name)
            for name in answers:
                wait_for(name)
            yield ScaledStack(
                portal_url=ports.url(ports.frontend),
                api_url=ports.url(ports.socket),
                sandbox_url=ports.url(ports.sandbox),
                portal_db=Path(os.devnull),
                logs=logs,
                callback_api_url=ports.url(ports.callback),
                database_url=database_url,
                stop_worker=lambda name: stop(processes[name]),
                kill_worker=kill_worker,
                start_worker=restart_worker,
            )
        finally:
            for process in reversed(list(processes.values())):
                stop(process)
