"""Reading recorded steps back as flows (one attempt, or one unclaimed callback)
and as the timeline rows of the flow a browser looks at.

A flow's public key is the id of its first step: attempt ids are never sent to
a browser. Personal values (email, name, phone, other profile items) are shown
only to the browser that started the attempt; everyone else sees usernames and
the protocol's mechanics.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlmodel import Session, col, select

from ia_portal.attempts import ATTEMPT_LIFETIME
from ia_portal.inspector.record import PERSONAL
from ia_portal.inspector.steps import OUTCOMES, Step, info
from ia_portal.models import InspectorEvent, utcnow

# How far back "recent attempts" look, and how many of them are listed.
RECENT_EVENTS = 400
RECENT_FLOWS = 12

HIDDEN_OTHER = "(hidden: another browser's attempt)"
HIDDEN_UNCLAIMED = "(hidden until a browser claims this callback)"
# An attempt older than its lifetime with no ending: its tab left without one.
LEFT_OPEN = "left open, no ending seen"


@dataclasses.dataclass(frozen=True)
class Flow:
    """One attempt, or one callback no browser has claimed, as the list shows it."""

    key: str
    title: str
    who: str
    outcome: str
    started: str
    mine: bool


@dataclasses.dataclass(frozen=True)
class Row:
    """One step of the flow being looked at, ready to show."""

    step: str
    label: str
    # "IA → Portal", or "at the Portal" for a step on one side only.
    route: str
    time: str
    since: str
    summary: str
    details: str
    ok: bool
    # False for a callback shown beside an open attempt that has not claimed it.
    matched: bool


@dataclasses.dataclass(frozen=True)
class View:
    """What the inspector shows: recent flows, and the rows of one of them."""

    flows: list[Flow]
    key: str
    heading: str
    rows: list[Row]
    last_event: int


def last_event_id(session: Session) -> int:
    """The newest step's id (0 when none): a change means there is news."""
    newest = session.exec(
        select(InspectorEvent.id).order_by(col(InspectorEvent.id).desc())
    ).first()
    return newest or 0


def _group(event: InspectorEvent) -> str:
    return event.attempt_id or f"trace:{event.trace}"


def _clock(moment: datetime.datetime) -> str:
    return moment.strftime("%H:%M:%S.%f")[:-3]


def _detail(events: Iterable[InspectorEvent], *labels: str) -> str:
    for label in labels:
        for event in events:
            for name, value, _ in event.details:
                if name == label and value:
                    return value
    return ""


def _age(moment: datetime.datetime) -> datetime.timedelta:
    # SQLite gives back naive datetimes; every stored time is UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return utcnow() - aware


def _describe(events: list[InspectorEvent], browser: str) -> Flow:
    first = events[0]
    started = next((e for e in events if e.step == Step.FRAME_REQUESTED), None)
    if first.attempt_id is None:
        title = "IA callback, not claimed by a browser"
    else:
        title = started.summary if started else "Attempt (its start is gone)"
    ending = [e for e in events if e.step in OUTCOMES]
    if ending:
        outcome = info(ending[-1].step).label
    elif first.attempt_id is None:
        answered = [e for e in events if e.step == Step.CALLBACK_ANSWERED]
        failed = any(not e.ok for e in events)
        outcome = "refused" if failed else "stored" if answered else "in progress"
    elif _age(first.at) > ATTEMPT_LIFETIME:
        # Its tab went away without an ending the portal could see (a closed
        # tab's frame withdraws its request from IA and tells the page nothing).
        outcome = LEFT_OPEN
    else:
        outcome = "in progress"
    return Flow(
        key=str(first.id),
        title=title,
        who=_detail(events, "username", "usernameOrEmail") or "—",
        outcome=outcome,
        started=_clock(first.at),
        mine=bool(browser) and started is not None and started.browser == browser,
    )


def _flows(session: Session, browser: str) -> list[Flow]:
    recent = session.exec(
        select(InspectorEvent)
        .order_by(col(InspectorEvent.id).desc())
        .limit(RECENT_EVENTS)
    ).all()
    groups: dict[str, list[InspectorEvent]] = {}
    for event in recent:  # newest first: groups come in order of latest news
        groups.setdefault(_group(event), []).append(event)
    flows = []
    for events in list(groups.values())[:RECENT_FLOWS]:
        events.sort(key=lambda e: (e.at, e.id or 0))
        flows.append(_describe(events, browser))
    return flows


def _chosen_group(session: Session, browser: str, key: str) -> str | None:
    """The group of the chosen flow, or of this browser's latest attempt."""
    if key.isdigit():
        chosen = session.get(InspectorEvent, int(key))
        if chosen is not None:
            return _group(chosen)
    if not browser:
        return None
    latest = session.exec(
        select(InspectorEvent.attempt_id)
        .where(InspectorEvent.browser == browser)
        .order_by(col(InspectorEvent.id).desc())
    ).first()
    return latest


def _events_of(session: Session, group: str) -> list[InspectorEvent]:
    if group.startswith("trace:"):
        where = col(InspectorEvent.trace) == group.removeprefix("trace:")
        where = where & col(InspectorEvent.attempt_id).is_(None)
    else:
        where = col(InspectorEvent.attempt_id) == group
    return list(
        session.exec(
            select(InspectorEvent)
            .where(where)
            .order_by(col(InspectorEvent.at), col(InspectorEvent.id))
        ).all()
    )


def _unclaimed_since(
    session: Session, moment: datetime.datetime
) -> list[InspectorEvent]:
    """Callback steps no attempt has claimed yet, since `moment`."""
    return list(
        session.exec(
            select(InspectorEvent)
            .where(col(InspectorEvent.attempt_id).is_(None))
            .where(col(InspectorEvent.trace).is_not(None))
            .where(InspectorEvent.at >= moment)
        ).all()
    )


def _details(event: InspectorEvent, hidden: str) -> str:
    lines = []
    for label, value, kind in event.details:
        shown = hidden if hidden and kind == PERSONAL else value
        lines.append(f"{label}: {shown}")
    return "\n".join(lines)


def _rows(events: list[InspectorEvent], mine: bool) -> list[Row]:
    rows = []
    previous: datetime.datetime | None = None
    for event in events:
        matched = event.attempt_id is not None
        if not matched:
            hidden = HIDDEN_UNCLAIMED
        elif mine:
            hidden = ""
        else:
            hidden = HIDDEN_OTHER
        step = info(event.step)
        since = event.at - previous if previous else None
        rows.append(
            Row(
                step=event.step,
                label=step.label,
                route=(
                    f"at the {step.sender}"
                    if step.sender == step.receiver
                    else f"{step.sender} → {step.receiver}"
                ),
                time=_clock(event.at),
                since=f"+{since.total_seconds():.3f} s" if since is not None else "—",
                summary=event.summary,
                details=_details(event, hidden),
                ok=event.ok,
                matched=matched,
            )
        )
        previous = event.at
    return rows


def read_view(session: Session, browser: str, key: str = "") -> View:
    """Recent flows, and the rows of the chosen flow (or this browser's latest).

    While an attempt is open, callbacks that arrived since it started and that
    no attempt has claimed are shown in it, marked unmatched: IA's callback
    names no browser, so only the browser's success can tell whose it was.
    """
    flows = _flows(session, browser)
    newest = last_event_id(session)
    group = _chosen_group(session, browser, key)
    events = _events_of(session, group) if group else []
    if not events:
        return View(flows, "", "No attempt yet", [], newest)

    flow = _describe(events, browser)
    open_attempt = events[0].attempt_id and not any(e.step in OUTCOMES for e in events)
    if open_attempt:
        events += _unclaimed_since(session, events[0].at)
        events.sort(key=lambda e: (e.at, e.id or 0))
    whose = "this browser" if flow.mine else "another browser"
    if events[0].attempt_id is None:
        whose = "no browser yet"
    parts = (flow.title, flow.who if flow.who != "—" else "", whose, flow.outcome)
    heading = " · ".join(part for part in parts if part)
    return View(flows, flow.key, heading, _rows(events, flow.mine), newest)
