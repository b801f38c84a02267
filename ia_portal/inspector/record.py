"""Recording protocol steps for the inspector, and forgetting the oldest ones.

Each step is written apart from the caller's work, after it, by the writer
thread (`ia_portal.inspector.writer`), so that recording can neither hold up
nor undo the flow: a failure to record is logged as a warning and swallowed.
At most `INSPECTOR_RETENTION_EVENTS` steps are kept; each write removes the
oldest beyond that number (0 turns recording off). `flush` waits for the
writes queued so far.

Nothing secret may be passed in: callers shorten codes with `ia_client.redact`,
redact the client secret, and never hand over an access token.

Limitation: anyone can call `GET /ia/callback`, and each refusal is recorded,
so a flood of bad callbacks pushes older steps out of the inspector sooner,
because the retention is a count; it still bounds the table's size.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ia_portal.config import get_settings
from ia_portal.db import get_engine
from ia_portal.inspector import writer
from ia_portal.inspector.steps import Step
from ia_portal.models import utcnow

logger = logging.getLogger(__name__)

MAX_SUMMARY = 300
MAX_LABEL = 60
MAX_VALUE = 200
MAX_DETAILS = 30
PERSONAL = "personal"

Details = Sequence[tuple[str, str]]


def new_trace() -> str:
    """A name for one callback request's steps, until a browser claims them."""
    return secrets.token_hex(8)


def _triples(details: Details, personal: Details) -> list[list[str]]:
    rows = [[label, value, ""] for label, value in details]
    rows += [[label, value, PERSONAL] for label, value in personal]
    return [
        [label[:MAX_LABEL], str(value)[:MAX_VALUE], kind]
        for label, value, kind in rows[:MAX_DETAILS]
    ]


def record(
    step: Step,
    *,
    summary: str = "",
    details: Details = (),
    personal: Details = (),
    ok: bool = True,
    attempt_id: str | None = None,
    trace: str | None = None,
    callback_id: int | None = None,
    browser: str | None = None,
    bind: sa.Engine | sa.Connection | None = None,
) -> None:
    """Store one step (queued for the writer thread); never raises.

    Args:
        details: (label, value) pairs anyone looking at the inspector may see.
        personal: (label, value) pairs shown only to the browser of the attempt.
        attempt_id, trace: the attempt, or the callback request, it belongs to.
        callback_id: the `ia_callback` row a callback request stored.
        browser: the browser that started the attempt (its first step only).
        bind: the caller's engine (a test's database); the portal's by default.
    """
    try:
        keep = get_settings().inspector_retention_events
        if keep == 0:
            return
        row = {
            "at": utcnow(),
            "step": step.value,
            "ok": ok,
            "attempt_id": attempt_id,
            "trace": trace,
            "callback_id": callback_id,
            "browser": browser,
            "summary": summary[:MAX_SUMMARY],
            "details": _triples(details, personal),
        }
        writer.enqueue(writer.Write(bind or get_engine(), step=row, keep=keep))
    except Exception as error:
        logger.warning("inspector could not record %s (%s)", step, type(error).__name__)


async def arecord(step: Step, **fields: Any) -> None:
    """`record` for async code (queuing a step never blocks)."""
    record(step, **fields)


def link_callback(
    bind: sa.Engine | sa.Connection, callback_id: int, attempt_id: str
) -> None:
    """Give a claimed callback's steps to the attempt that claimed it; never raises.

    Until this claim the portal cannot know which browser a callback was for.
    The link is queued after the callback's steps, so it finds them.
    """
    writer.enqueue(writer.Write(bind, link=(callback_id, attempt_id)))


def flush() -> None:
    """Wait until every step recorded so far is in the database."""
    writer.flush()
