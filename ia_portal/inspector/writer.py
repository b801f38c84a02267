"""The inspector's writes, made by one thread per process, in batches.

`record` and `link_callback` (`ia_portal.inspector.record`) only queue their
write, so a flow never waits for the inspector's database work, and the writes
that queued while the thread was busy share one transaction. With one
transaction per step, from the flow's own thread, recording cost IA's
callback more than a third of its throughput (`make bench`, callback
throughput: 49 a second against 78 with recording off). Writes keep their
order; `flush` waits until everything queued so far is written.

A write that fails is logged as a warning and dropped; the others in its batch
are then written one by one, so one bad write takes no other with it.

Limitation: writes still queued when the process ends are lost, because the
thread runs beside the flow, not in it; at exit it gets two seconds to finish.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import queue
import threading
import time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ia_portal.models import InspectorEvent

logger = logging.getLogger(__name__)

TABLE: sa.Table = InspectorEvent.__table__  # type: ignore[attr-defined]
# The most writes one transaction takes.
BATCH = 200
EXIT_SECONDS = 2.0


@dataclasses.dataclass(frozen=True)
class Write:
    """One queued write: a step's row to add (keeping the `keep` newest), or a
    callback's steps to give to the attempt that claimed it (`link`)."""

    bind: sa.Engine | sa.Connection  # resolved when queued: tests swap engines
    step: dict[str, Any] | None = None
    keep: int = 0
    link: tuple[int, str] | None = None  # (callback id, attempt id)


_lock = threading.Lock()
_queue: queue.Queue[Write] | None = None
_queue_pid = 0


def enqueue(write: Write) -> None:
    """Queue `write` for the writer thread (started on first use)."""
    _writer_queue().put(write)


def flush() -> None:
    """Wait until every write queued so far is written (or has failed)."""
    _writer_queue().join()


def _writer_queue() -> queue.Queue[Write]:
    """This process's queue; a forked worker starts a writer of its own."""
    global _queue, _queue_pid
    with _lock:
        if _queue is None or _queue_pid != os.getpid():
            _queue, _queue_pid = queue.Queue(), os.getpid()
            thread = threading.Thread(
                target=_run, args=(_queue,), name="inspector-writer", daemon=True
            )
            thread.start()
            atexit.register(_drain, _queue)
        return _queue


def _drain(writes: queue.Queue[Write]) -> None:
    deadline = time.monotonic() + EXIT_SECONDS
    while writes.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)


def _run(writes: queue.Queue[Write]) -> None:
    while True:
        batch = [writes.get()]
        while len(batch) < BATCH:
            try:
                batch.append(writes.get_nowait())
            except queue.Empty:
                break
        try:
            for group in _by_bind(batch):
                _write_together(group)
        finally:
            for _ in batch:
                writes.task_done()


def _by_bind(batch: list[Write]) -> list[list[Write]]:
    """`batch` cut into runs of consecutive writes to the same database."""
    groups: list[list[Write]] = []
    for write in batch:
        if groups and groups[-1][0].bind is write.bind:
            groups[-1].append(write)
        else:
            groups.append([write])
    return groups


def _write_together(writes: list[Write]) -> None:
    try:
        with Session(writes[0].bind) as session:
            _apply(session, writes)
            session.commit()
    except Exception as error:
        if len(writes) == 1:
            _warn(writes[0], error)
            return
        for write in writes:
            _write_together([write])


def _apply(session: Session, writes: list[Write]) -> None:
    """The writes in order: each run of steps in one insert, then one prune."""
    steps: list[Write] = []
    for write in writes:
        if write.step is not None:
            steps.append(write)
            continue
        _add_steps(session, steps)
        steps = []
        if write.link is not None:
            _link(session, *write.link)
    _add_steps(session, steps)


def _add_steps(session: Session, steps: list[Write]) -> None:
    if not steps:
        return
    added = session.execute(
        sa.insert(TABLE).returning(TABLE.c.id),
        [write.step for write in steps if write.step is not None],
    )
    newest = max(added.scalars())
    # Ids grow with each write; a gap (a rolled-back write) only keeps fewer.
    session.execute(sa.delete(TABLE).where(TABLE.c.id <= newest - steps[-1].keep))


def _link(session: Session, callback_id: int, attempt_id: str) -> None:
    trace = (
        session.execute(
            sa.select(TABLE.c.trace).where(TABLE.c.callback_id == callback_id)
        )
        .scalars()
        .first()
    )
    if trace is not None:
        session.execute(
            sa.update(TABLE).where(TABLE.c.trace == trace).values(attempt_id=attempt_id)
        )


def _warn(write: Write, error: Exception) -> None:
    cause = type(error).__name__
    if write.step is not None:
        logger.warning("inspector could not record %s (%s)", write.step["step"], cause)
    else:
        logger.warning("inspector could not link a callback (%s)", cause)
