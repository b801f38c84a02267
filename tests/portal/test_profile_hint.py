"""`POST /ia/callback` (IA's "this user changed" hint) against the live sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal import resync
from ia_portal.db import open_session
from ia_portal.models import IACallback, IAUser, ProfileChange
from ia_portal.protocol import IAUserData
from ia_portal.resync import ResyncResult
from ia_portal.routes import create_routes
from tests.portal.aio import run_async
from tests.sandbox_harness import Partner, approve, ask

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    """The portal's routes for the live sandbox, on a fresh database."""
    return make_portal(live_sandbox)


def _sign_in(portal: TestClient, sandbox: httpx.Client, partner: Partner, user: str):
    ask(sandbox, user)
    assert approve(sandbox, user).status_code == 200
    assert portal.get(partner.paths[-1]).status_code == 200


def _counts() -> tuple[int, int, int]:
    with open_session() as session:
        return (
            len(session.exec(select(IAUser)).all()),
            len(session.exec(select(IACallback)).all()),
            len(session.exec(select(ProfileChange)).all()),
        )


def test_a_hint_for_an_unchanged_user_changes_nothing(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "ada")

    response = portal.post("/ia/callback", content="user_id=1", headers=FORM)

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "result": "unchanged"},
    )
    assert _counts() == (1, 1, 0)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("", 400, "user_id must be one positive number"),
        ("user_id=", 400, "user_id must be one positive number"),
        ("user_id=abc", 400, "user_id must be one positive number"),
        ("user_id=-1", 400, "user_id must be one positive number"),
        ("user_id=0", 400, "user_id must be one positive number"),
        ("user_id=1.5", 400, "user_id must be one positive number"),
        ("user_id=" + "9" * 400, 400, "user_id must be one positive number"),
        ("user_id=1&user_id=2", 400, "user_id must be one positive number"),
        ("user_id=%00", 400, "user_id must be one positive number"),
        ("user_id=%D9%A1", 400, "user_id must be one positive number"),
        ("userid=1", 400, "user_id must be one positive number"),
        ("user_id=1&" + "x" * 2000, 413, "request body too large"),
        ("user_id=%zz", 400, "user_id must be one positive number"),
        ("user_id=77", 404, "unknown user"),
    ],
)
def test_bad_hints_get_a_clean_4xx_and_write_nothing(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    body: str,
    status: int,
    error: str,
) -> None:
    _sign_in(portal, sandbox, partner, "ada")

    response = portal.post("/ia/callback", content=body, headers=FORM)

    assert (response.status_code, response.json()) == (
        status,
        {"status": "error", "error": error},
    )
    assert _counts() == (1, 1, 0)


def test_a_hint_that_is_not_a_form_is_refused(portal: TestClient) -> None:
    response = portal.post("/ia/callback", json={"user_id": 1})
    assert response.status_code == 415


def test_a_burst_of_hints_ends_in_one_consistent_row(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "jose")

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=create_routes())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://portal"
        ) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/ia/callback", content="user_id=2", headers=FORM)
                    for _ in range(10)
                )
            )
        return [answer.status_code for answer in answers]

    assert run_async(burst()) == [200] * 10
    with open_session() as session:
        users = session.exec(select(IAUser)).all()
    assert [(u.ia_user_id, u.email) for u in users] == [(2, "jose+demo@example.com")]
    assert _counts() == (1, 1, 0)


def _forward_last_hint(portal: TestClient, partner: Partner) -> httpx.Response:
    """Hand the portal the POST the sandbox just sent to the partner."""
    hint = partner.posts[-1]
    return portal.post(
        "/ia/callback", content=hint.body, headers={"Content-Type": hint.content_type}
    )


def test_a_changed_phone_is_fetched_stored_and_recorded(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "jose")
    edit = {"name": "José Ñandú", "email": "jose+demo@example.com", "phone": "+34 1"}
    assert sandbox.post("/app/jose/profile", json=edit).status_code == 200
    assert partner.posts[-1].body == "user_id=2"

    response = _forward_last_hint(portal, partner)

    assert response.json() == {"status": "ok", "result": "updated"}
    with open_session() as session:
        user = session.exec(select(IAUser)).one()
        change = session.exec(select(ProfileChange)).one()
    assert (user.phone, user.profile_items["phone"]) == ("+34 1", "+34 1")
    assert change.changes == {"phone": ["+34 600 000 123", "+34 1"]}


def test_revoked_access_drops_the_token_and_a_new_sign_in_restores_it(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "grace")
    assert sandbox.post("/app/grace/revoke").status_code == 200

    response = _forward_last_hint(portal, partner)

    assert response.json() == {"status": "ok", "result": "revoked"}
    with open_session() as session:
        user = session.exec(select(IAUser)).one()
        change = session.exec(select(ProfileChange)).one()
    assert (user.access_token, user.access_revoked_at is not None) == (None, True)
    assert (change.revoked, change.changes) == (True, {})

    _sign_in(portal, sandbox, partner, "grace")
    with open_session() as session:
        user = session.exec(select(IAUser)).one()
    assert user.access_token and user.access_revoked_at is None
    assert portal.post("/ia/callback", content="user_id=3", headers=FORM).json() == {
        "status": "ok",
        "result": "unchanged",
    }


def _jose(phone: str) -> IAUserData:
    return IAUserData(
        user_id=2,
        username="jose",
        email="jose+demo@example.com",
        name="José Ñandú",
        phone=phone,
        items={"username": "jose", "phone": phone},
    )


def _stored_phone() -> str | None:
    with open_session() as session:
        return session.exec(select(IAUser)).one().phone


def test_an_older_re_syncs_answer_arriving_last_is_not_stored(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    # Two re-syncs ask IA one after the other (in any workers); the first
    # one's answer comes back last.
    _sign_in(portal, sandbox, partner, "jose")
    token, older = resync._take_ticket(2)
    _, newer = resync._take_ticket(2)
    assert token is not None

    assert resync._apply(_jose("+34 2"), token, newer) == ResyncResult.UPDATED
    assert resync._apply(_jose("+34 1"), token, older) == ResyncResult.UNCHANGED

    assert _stored_phone() == "+34 2"
    assert _counts() == (1, 1, 1)


def test_an_older_re_syncs_refusal_arriving_last_revokes_nothing(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "jose")
    token, older = resync._take_ticket(2)
    _, newer = resync._take_ticket(2)
    assert token is not None

    assert resync._apply(_jose("+34 2"), token, newer) == ResyncResult.UPDATED
    resync._revoke(2, token, older)

    with open_session() as session:
        user = session.exec(select(IAUser)).one()
    assert (user.access_token, user.access_revoked_at) == (token, None)


def test_re_syncs_in_the_order_they_asked_each_store_their_answer(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    _sign_in(portal, sandbox, partner, "jose")
    token, first = resync._take_ticket(2)
    _, second = resync._take_ticket(2)
    assert token is not None

    assert resync._apply(_jose("+34 1"), token, first) == ResyncResult.UPDATED
    assert resync._apply(_jose("+34 2"), token, second) == ResyncResult.UPDATED

    assert _stored_phone() == "+34 2"
    assert _counts() == (1, 1, 2)
