"""The inspector records each step the portal sees, keeps no secret, and forgets
the oldest steps beyond its retention (ia_portal.inspector).

The callback steps come from the real callback route trading real codes with
the live sandbox; attempts and proofs from `ia_portal.attempts` on the same
database.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from ia_portal import inspector
from ia_portal.attempts import confirm_approval, start_attempt
from ia_portal.config import SettingsError, get_settings
from ia_portal.db import open_session
from ia_portal.inspector import Step
from ia_portal.inspector.diagram import clean, sequence
from ia_portal.inspector.timeline import HIDDEN_OTHER, HIDDEN_UNCLAIMED, read_view
from ia_portal.models import IACallback, IAUser, InspectorEvent, utcnow
from tests.sandbox_harness import CLIENT_ID, CLIENT_SECRET, Partner, approve, ask

TAB = "tab-1"
WINDOW = datetime.timedelta(seconds=120)


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    """The portal's routes, configured for the live sandbox, on a fresh database."""
    return make_portal(live_sandbox)


def _approved(sandbox: httpx.Client, partner: Partner, login: str, user: str) -> str:
    """`user` approves on their phone; returns the callback path IA sent."""
    ask(sandbox, login)
    assert approve(sandbox, user).status_code == 200
    return partner.paths[-1]


def _events() -> list[InspectorEvent]:
    inspector.flush()
    with open_session() as session:
        return list(
            session.exec(select(InspectorEvent).order_by(col(InspectorEvent.id))).all()
        )


def _secrets_in_events(*secrets: str) -> list[str]:
    """Which of `secrets` appear anywhere in the stored steps."""
    stored = json.dumps([event.model_dump(mode="json") for event in _events()])
    return [secret for secret in secrets if secret in stored]


def _token_of(ia_user_id: int) -> str:
    with open_session() as session:
        user = session.exec(select(IAUser).where(IAUser.ia_user_id == ia_user_id)).one()
    assert user.access_token
    return user.access_token


def test_a_callback_records_its_steps_with_their_fields(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    path = _approved(sandbox, partner, "jose+demo@example.com", "jose")
    code = httpx.URL(path).params["code"]

    assert portal.get(path).status_code == 200

    events = _events()
    assert [(e.step, e.ok) for e in events] == [
        ("callback_received", True),
        ("code_exchanged", True),
        ("user_fetched", True),
        ("callback_answered", True),
    ]
    assert {e.trace for e in events} == {events[0].trace}
    assert [e.attempt_id for e in events] == [None] * 4
    short = f"{code[:4]}…"
    assert events[0].summary == f"code {short}, state for IA user 2"
    assert events[0].details == [
        ["code", short, ""],
        ["state: user id", "2", ""],
        ["state: username", "jose", ""],
        ["state: email", "jose+demo@example.com", "personal"],
    ]
    assert events[1].summary == f"code {short} traded for an access token"
    assert events[1].details == [
        ["access token", "received; stored encrypted, never shown", ""]
    ]
    assert events[2].summary == "IA user 2 (jose)"
    assert events[2].details == [
        ["IA user id", "2", ""],
        ["username", "jose", ""],
        ["email", "jose+demo@example.com", "personal"],
        ["name", "José Ñandú", "personal"],
        ["phone", "+34 600 000 123", "personal"],
    ]
    with open_session() as session:
        callback = session.exec(select(IACallback)).one()
    assert events[3].callback_id == callback.id
    assert events[3].summary == (
        "200 ok: user and callback stored, awaiting the browser's success"
    )
    assert _secrets_in_events(code, CLIENT_SECRET, _token_of(2)) == []


def test_a_refused_callback_records_why_and_no_code(portal: TestClient) -> None:
    response = portal.get(
        "/ia/callback", params={"code": "a\x01b-long-code", "state": "1@@ada@@a@b"}
    )

    assert response.status_code == 400
    assert [(e.step, e.ok, e.summary) for e in _events()] == [
        ("callback_received", False, "refused: code is not an authorization code"),
        ("callback_answered", False, "400: code is not an authorization code"),
    ]
    assert _secrets_in_events("long-code") == []


def test_a_code_ia_refuses_is_recorded_as_a_failed_exchange(
    portal: TestClient,
) -> None:
    response = portal.get(
        "/ia/callback", params={"code": "made-up-code", "state": "1@@ada@@a@b.c"}
    )

    assert response.status_code == 400
    error = "IA refused the code exchange (invalid_grant, HTTP 400)"
    assert [(e.step, e.ok, e.summary) for e in _events()] == [
        ("callback_received", True, "code made…, state for IA user 1"),
        ("code_exchanged", False, error),
        ("callback_answered", False, f"400: {error}"),
    ]
    assert _secrets_in_events("made-up-code") == []


def test_the_frame_redirect_is_recorded_with_the_secret_redacted(
    portal: TestClient, live_sandbox: str
) -> None:
    with open_session() as session:
        attempt = start_attempt(session, TAB)

    response = portal.get(f"/ia/frame/{attempt.id}", follow_redirects=False)

    assert response.status_code == 303
    assert f"client_secret={CLIENT_SECRET}" in response.headers["location"]
    [event] = _events()
    assert (event.step, event.attempt_id) == ("frame_opened", attempt.id)
    assert event.details == [
        [
            "frame URL",
            f"{live_sandbox}/api/partner/authorize/view"
            f"?client_id={CLIENT_ID}&client_secret=[redacted]",
            "",
        ]
    ]
    assert _secrets_in_events(CLIENT_SECRET) == []


def test_the_claim_gives_the_callback_steps_to_the_attempt(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    with open_session() as session:
        attempt = start_attempt(session, TAB)
    inspector.record(
        Step.FRAME_REQUESTED, attempt_id=attempt.id, browser="b-1", summary="Sign-in"
    )
    assert portal.get(_approved(sandbox, partner, "ada", "ada")).status_code == 200

    with open_session() as session:
        user = confirm_approval(session, attempt.id, TAB, "ada", WINDOW)

    assert user is not None
    events = _events()
    assert [(e.step, e.attempt_id) for e in events] == [
        ("frame_requested", attempt.id),
        ("callback_received", attempt.id),
        ("code_exchanged", attempt.id),
        ("user_fetched", attempt.id),
        ("callback_answered", attempt.id),
        ("confirmation", attempt.id),
    ]
    assert events[-1].ok
    assert events[-1].summary == "proof held: IA's callback for ada claimed"
    assert events[-1].details[0] == ["callback", "IA user 1", ""]


def test_a_success_without_a_callback_records_the_missing_proof(db: Session) -> None:
    attempt = start_attempt(db, TAB)

    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None

    inspector.flush()
    rows = db.exec(select(InspectorEvent)).all()
    assert [(e.step, e.ok, e.summary) for e in rows] == [
        (
            "confirmation",
            False,
            "no unclaimed IA callback for 'ada' since the attempt started, "
            "within 120 s",
        )
    ]


def test_the_view_shows_personal_values_to_the_attempt_s_browser_only(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    with open_session() as session:
        attempt = start_attempt(session, TAB)
    inspector.record(
        Step.FRAME_REQUESTED, attempt_id=attempt.id, browser="b-1", summary="Sign-in"
    )
    assert portal.get(_approved(sandbox, partner, "ada", "ada")).status_code == 200
    with open_session() as session:
        assert confirm_approval(session, attempt.id, TAB, "ada", WINDOW) is not None

    inspector.flush()
    with open_session() as session:
        mine = read_view(session, "b-1")
        theirs = read_view(session, "b-2", mine.key)

    fetched = [row for row in mine.rows if row.step == "user_fetched"]
    assert fetched[0].details.splitlines() == [
        "IA user id: 1",
        "username: ada",
        "email: ada@example.com",
        "name: Ada Lovelace",
        "phone: +44 20 7946 0018",
    ]
    fetched = [row for row in theirs.rows if row.step == "user_fetched"]
    assert fetched[0].details.splitlines() == [
        "IA user id: 1",
        "username: ada",
        f"email: {HIDDEN_OTHER}",
        f"name: {HIDDEN_OTHER}",
        f"phone: {HIDDEN_OTHER}",
    ]
    assert mine.heading == "Sign-in · ada · this browser · in progress"
    assert theirs.heading == "Sign-in · ada · another browser · in progress"
    assert [(f.title, f.who, f.mine) for f in mine.flows] == [("Sign-in", "ada", True)]


def test_an_open_attempt_shows_unclaimed_callbacks_as_unmatched(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    with open_session() as session:
        attempt = start_attempt(session, TAB)
    inspector.record(
        Step.FRAME_REQUESTED, attempt_id=attempt.id, browser="b-1", summary="Sign-in"
    )
    assert portal.get(_approved(sandbox, partner, "grace", "grace")).status_code == 200

    inspector.flush()
    with open_session() as session:
        view = read_view(session, "b-1")

    assert [(row.step, row.matched) for row in view.rows] == [
        ("frame_requested", True),
        ("callback_received", False),
        ("code_exchanged", False),
        ("user_fetched", False),
        ("callback_answered", False),
    ]
    assert f"email: {HIDDEN_UNCLAIMED}" in view.rows[3].details
    assert "grace@example.com" not in "".join(row.details for row in view.rows)
    assert [(f.title, f.outcome) for f in view.flows] == [
        ("IA callback, not claimed by a browser", "stored"),
        ("Sign-in", "in progress"),
    ]


def test_an_attempt_left_open_past_its_lifetime_says_so(db: Session) -> None:
    for minutes_ago, summary in ((11, "Sign-in"), (9, "Payment of 5.00 USD")):
        attempt = start_attempt(db, TAB)
        inspector.record(
            Step.FRAME_REQUESTED,
            attempt_id=attempt.id,
            browser="b-1",
            summary=summary,
            bind=db.get_bind(),
        )
        inspector.flush()
        # As if the tab had been closed that long ago: nothing ended the attempt.
        db.execute(
            sa.update(InspectorEvent)
            .where(col(InspectorEvent.attempt_id) == attempt.id)
            .values(at=utcnow() - datetime.timedelta(minutes=minutes_ago))
        )
        db.commit()

    view = read_view(db, "b-1")

    assert [(f.title, f.outcome) for f in view.flows] == [
        ("Payment of 5.00 USD", "in progress"),
        ("Sign-in", "left open, no ending seen"),
    ]


def _record_numbered(count: int, bind: sa.Engine) -> None:
    for number in range(count):
        inspector.record(Step.CLOSED, summary=str(number), bind=bind)


def test_retention_keeps_exactly_the_newest_steps(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_RETENTION_EVENTS", "5")
    get_settings.cache_clear()

    _record_numbered(8, db.get_bind())

    inspector.flush()
    kept = db.exec(select(InspectorEvent).order_by(col(InspectorEvent.id))).all()
    assert [e.summary for e in kept] == ["3", "4", "5", "6", "7"]


def test_retention_zero_records_nothing(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_RETENTION_EVENTS", "0")
    get_settings.cache_clear()

    _record_numbered(3, db.get_bind())

    inspector.flush()
    assert db.exec(select(InspectorEvent)).all() == []


def test_a_failure_to_record_is_logged_not_raised(
    tmp_path: Path, portal_log: pytest.LogCaptureFixture
) -> None:
    # A database without the inspector's table: every write fails.
    empty = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")

    inspector.record(Step.SIGNED_IN, attempt_id="a", bind=empty)
    inspector.link_callback(empty, 1, "a")
    inspector.flush()

    warnings = [
        record.getMessage()
        for record in portal_log.records
        if record.levelno == logging.WARNING
    ]
    assert warnings == [
        "inspector could not record signed_in (OperationalError)",
        "inspector could not link a callback (OperationalError)",
    ]


def test_diagram_text_cannot_change_the_diagram_s_structure() -> None:
    assert clean("ada;\nNote over P: #35; <b>x</b> %%{init}%%") == (
        "ada Note over P: 35 b x /b init"
    )
    assert clean("a" * 80) == "a" * 51 + "…"


def test_the_diagram_draws_each_step_between_its_lifelines(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    with open_session() as session:
        attempt = start_attempt(session, TAB)
    inspector.record(
        Step.FRAME_REQUESTED, attempt_id=attempt.id, browser="b-1", summary="Sign-in"
    )
    frame = portal.get(f"/ia/frame/{attempt.id}", follow_redirects=False)
    assert frame.status_code == 303
    assert portal.get(_approved(sandbox, partner, "ada", "ada")).status_code == 200
    with open_session() as session:
        assert confirm_approval(session, attempt.id, TAB, "ada", WINDOW) is not None
    inspector.flush()
    with open_session() as session:
        view = read_view(session, "b-1")

    assert sequence(view.rows).splitlines()[5:] == [
        "    B->>P: IA button: Sign-in",
        "    P-->>B: 303 to IA's frame",
        "    B->>IA: GET frame (client secret in URL)",
        "    Note over IA,Ph: wrap:IA-internal, unseen by the portal: login typed, "
        "request sent to the phone, answered there",
        "    IA->>P: GET /ia/callback (code, state)",
        "    P->>IA: POST /api/oauth/token",
        "    IA-->>P: access token (never shown)",
        "    P->>IA: GET /api/public/user",
        "    IA-->>P: IA user 1 (ada)",
        "    P-->>IA: 200 ok",
        "    Note over P: proof held: IA's callback for ada claimed",
    ]


def test_a_negative_retention_names_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INSPECTOR_RETENTION_EVENTS", "-1")
    get_settings.cache_clear()

    with pytest.raises(SettingsError) as caught:
        get_settings()

    assert str(caught.value) == (
        "Setting INSPECTOR_RETENTION_EVENTS is invalid: "
        "Input should be greater than or equal to 0"
    )
