"""Sampling the running portal with py-spy while a benchmark loads it.

`profiled(portal_url, path)` records every process of the portal serving
`portal_url` (the `reflex run` process and its workers) until the block
ends; `summary(path)` lists the frames most samples passed through.
"""

from __future__ import annotations

import collections
import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PY_SPY = Path(sys.executable).parent / "py-spy"


def portal_pid(portal_url: str) -> int:
    """The `reflex run` process started with PORTAL_URL=`portal_url` that runs
    the backend (not a `--frontend-only` one)."""
    wanted = f"PORTAL_URL={portal_url}".encode()
    for entry in sorted(Path("/proc").iterdir(), key=lambda path: path.name):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
            reflex_run = (
                b"run" in command
                and b"--frontend-only" not in command
                and any(part.endswith(b"/reflex") for part in command[:2])
            )
            if reflex_run and wanted in environ:
                return int(entry.name)
    raise LookupError(f"no reflex process serves {portal_url}")


@contextlib.contextmanager
def profiled(portal_url: str, path: Path) -> Iterator[None]:
    """Record the portal's stacks (collapsed, one per line) into `path`."""
    command = [
        str(PY_SPY),
        # Only threads holding the GIL: the Python work, not threads that wait.
        # Non-blocking, so sampling does not pause the portal it measures.
        *("record", "--format", "raw", "--rate", "100", "--gil", "--nonblocking"),
        "--subprocesses",
        *("--pid", str(portal_pid(portal_url)), "--output", str(path)),
    ]
    recorder = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        _, errors = recorder.communicate(timeout=60)
        if not path.exists():
            raise RuntimeError(f"py-spy recorded nothing: {errors[-2000:]}")


def summary(path: Path, top: int = 25, only: str = "") -> str:
    """The frames the most samples passed through, with their share.

    Args:
        only: keep frames whose text contains this (e.g. "ia_portal").
    """
    inclusive: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        leaves[frames[-1]] += samples
        for frame in set(frames):
            if only in frame and not frame.startswith(("process ", "thread ")):
                inclusive[frame] += samples
    if not total:
        return "no samples"
    lines = [f"{total} samples holding the GIL; frames passed through:"]
    for frame, samples in inclusive.most_common(top):
        lines.append(f"{100 * samples / total:5.1f}%  {frame}")
    lines.append("where the samples were (the innermost frame):")
    for frame, samples in leaves.most_common(top // 2):
        lines.append(f"{100 * samples / total:5.1f}%  {frame}")
    return "\n".join(lines)
