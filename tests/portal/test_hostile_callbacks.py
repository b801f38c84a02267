"""Hostile `GET` and `POST /ia/callback` requests against the live sandbox.

Each request gets its exact answer, stores nothing or exactly the right row,
logs one WARNING when refused, and repeats none of what it carried, neither in
the answer nor in a log line. The plainer cases (missing parameters, a one-part
state, a reused or unknown code, a state naming another user, a raw `+`, the
hint's basic validation) live in test_callback.py and test_profile_hint.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import quote, unquote_to_bytes

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from ia_portal.db import open_session
from ia_portal.models import IACallback, IAUser, ProfileChange
from ia_portal.routes import create_routes
from tests.portal.aio import run_async
from tests.portal.checks import portal_warnings, stored_rows
from tests.sandbox_harness import Partner, approve, ask, code_sent_to

MISSING = "code and state are each required once"
TOO_LONG = "code or state is too long"
BAD_CODE = "code is not an authorization code"
BAD_STATE = "state is not userid@@username@@email"
MISMATCH = "state does not match the user IA returned"
UNKNOWN_CODE = "IA refused the code exchange (invalid_grant, HTTP 400)"
BAD_HINT = "user_id must be one positive number"
ADA = "1@@ada@@ada@example.com"
TEN_KB = "x" * 10_240

ADA_ROW = (1, "ada", "ada@example.com", "Ada Lovelace", "+44 20 7946 0018")
JOSE_ROW = (2, "jose", "jose+demo@example.com", "José Ñandú", "+34 600 000 123")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    return make_portal(live_sandbox)


def _approved_code(sandbox: httpx.Client, partner: Partner, user: str) -> str:
    """Approve a sign-in of `user` on their phone; the code IA sent the partner."""
    ask(sandbox, user)
    assert approve(sandbox, user).status_code == 200
    return code_sent_to(partner)


def _assert_not_repeated(
    sent: list[str], response: httpx.Response, log: pytest.LogCaptureFixture
) -> None:
    """Nothing the request carried shows in the answer or in any log line."""
    for value in sent:
        if len(value) >= 3:
            assert value not in response.text
            assert value not in log.text


def _sent_values(query: str) -> list[str]:
    """Each value of a raw query, decoded the way a server may decode it."""
    values = []
    for pair in query.replace(";", "&").split("&"):
        raw = pair.partition("=")[2]
        for form in (raw, raw.replace("+", " ")):  # `+` is a space, or not
            values += [form, unquote_to_bytes(form).decode("utf-8", "replace")]
    return values


# Refused by the portal before IA is asked, or refused by IA: nothing stored.
# (raw query string, status, error)
REFUSED = [
    pytest.param("code=abc&state=", 400, MISSING, id="empty state"),
    pytest.param("code=&state=", 400, MISSING, id="both empty"),
    pytest.param("code&state", 400, MISSING, id="names without values"),
    pytest.param(f"CODE=abc&STATE={ADA}", 400, MISSING, id="names in upper case"),
    pytest.param(f"code=abc;state={ADA}", 400, MISSING, id="semicolon separator"),
    pytest.param(f"code=abc&code=&state={ADA}", 400, MISSING, id="code twice, 1 empty"),
    pytest.param("code=abc&state=1@@ada", 400, BAD_STATE, id="state of two parts"),
    pytest.param("code=abc&state=@@@@", 400, BAD_STATE, id="state of empty parts"),
    pytest.param(
        "code=abc&state=@@ada@@ada@example.com", 400, BAD_STATE, id="empty user id"
    ),
    pytest.param(
        "code=abc&state=-1@@ada@@ada@example.com", 400, BAD_STATE, id="negative id"
    ),
    pytest.param("code=abc&state=0@@ada@@ada@example.com", 400, BAD_STATE, id="id 0"),
    pytest.param(
        "code=abc&state=ada@@ada@@ada@example.com", 400, BAD_STATE, id="id not a number"
    ),
    pytest.param(
        f"code=abc&state={'9' * 400}@@ada@@a@x", 400, BAD_STATE, id="id of 400 digits"
    ),
    pytest.param(
        "code=abc&state=9223372036854775808@@ada@@a@x", 400, BAD_STATE, id="id 2**63"
    ),
    pytest.param("code=abc&state=+1@@ada@@a@x", 400, BAD_STATE, id="raw + before id"),
    pytest.param("code=abc&state=%2B1@@ada@@a@x", 400, BAD_STATE, id="%2B before id"),
    pytest.param(
        "code=abc&state=%D9%A1@@ada@@a@x", 400, BAD_STATE, id="Arabic-Indic digit"
    ),
    pytest.param(
        "code=abc&state=%EF%BC%91@@ada@@a@x", 400, BAD_STATE, id="fullwidth digit"
    ),
    pytest.param(
        "code=abc&state=%E2%80%AE1@@ada@@a@x", 400, BAD_STATE, id="RLO before id"
    ),
    pytest.param(
        "code=abc&state=1%20OR%201%3D1@@ada@@a@x", 400, BAD_STATE, id="SQL in id"
    ),
    pytest.param(
        "code=abc&state=1@@ad%00a@@ada@example.com", 400, BAD_STATE, id="NUL in state"
    ),
    pytest.param(
        "code=abc&state=1@@ada%0D%0AWARNING%20forged@@a@x",
        400,
        BAD_STATE,
        id="line break in state",
    ),
    pytest.param(f"code=a%00b&state={ADA}", 400, BAD_CODE, id="NUL in code"),
    pytest.param(f"code=%C3%A9t%C3%A9&state={ADA}", 400, BAD_CODE, id="non-ASCII code"),
    pytest.param(f"code=%F0%9F%94%91&state={ADA}", 400, BAD_CODE, id="emoji code"),
    pytest.param(f"code={'a' * 513}&state={ADA}", 400, TOO_LONG, id="code of 513"),
    pytest.param(
        f"code=abc&state=1@@{'a' * 2048}@@a@x", 400, TOO_LONG, id="state over 2048"
    ),
    pytest.param(
        f"code={TEN_KB}&state={ADA}", 414, "query string too long", id="10 kB code"
    ),
    pytest.param(
        f"code=abc&state=1@@{TEN_KB}@@a", 414, "query string too long", id="10 kB state"
    ),
    pytest.param(
        f"code=abc&state={ADA}&junk={TEN_KB}",
        414,
        "query string too long",
        id="10 kB extra parameter",
    ),
    pytest.param(
        f"code=<script>alert(1)</script>&state={ADA}",
        400,
        UNKNOWN_CODE,
        id="HTML code",
    ),
    pytest.param(
        f"code=%27%20OR%20%271%27%3D%271&state={ADA}",
        400,
        UNKNOWN_CODE,
        id="SQL code",
    ),
    pytest.param(f"code=%zz%&state={ADA}", 400, UNKNOWN_CODE, id="bad %-encoding"),
]


@pytest.mark.parametrize(("query", "status", "error"), REFUSED)
def test_a_hostile_query_is_refused_and_stores_nothing(
    portal: TestClient,
    portal_log: pytest.LogCaptureFixture,
    query: str,
    status: int,
    error: str,
) -> None:
    response = portal.get(f"/ia/callback?{query}")

    assert (response.status_code, response.json()) == (
        status,
        {"status": "error", "error": error},
    )
    assert stored_rows() == ([], 0)
    assert len(portal_warnings(portal_log)) == 1
    _assert_not_repeated(_sent_values(query), response, portal_log)


# A real code, with a state IA would never send but that names the right user:
# the state is informative only, so the token's data is what is stored.
# (user to approve, state, encoded as is (raw) or percent-encoded, row stored)
SIGNED_IN = [
    pytest.param("ada", "1@@a@da@@ada@example.com", False, ADA_ROW, id="@ in username"),
    pytest.param(
        "ada", "1@@ad@@a@@ada@example.com", False, ADA_ROW, id="@@ in username"
    ),
    pytest.param(
        "ada", "1@@ada@@ada@example.com@@extra", False, ADA_ROW, id="state of 4 parts"
    ),
    pytest.param("ada", "1@@@@", False, ADA_ROW, id="empty username and email"),
    pytest.param("ada", "0001@@ada@@ada@example.com", False, ADA_ROW, id="id 0001"),
    pytest.param(
        "jose", "2@@jose@@jose demo@example.com", False, JOSE_ROW, id="space for +"
    ),
    pytest.param(
        "ada", "1@@Ádá 🦄@@ädä@exämple.com", False, ADA_ROW, id="non-ASCII and emoji"
    ),
    pytest.param(
        "ada",
        "1@@\u202eada\u202c@@moc.elpmaxe@ada\u202e",
        False,
        ADA_ROW,
        id="right-to-left override",
    ),
    pytest.param(
        "ada",
        '1@@<script>alert(1)</script>@@"><img src=x onerror=alert(1)>',
        False,
        ADA_ROW,
        id="HTML in state",
    ),
    pytest.param(
        "ada",
        "1@@'; DROP TABLE ia_user; --@@' OR '1'='1",
        False,
        ADA_ROW,
        id="SQL in state",
    ),
    pytest.param(
        "ada", "1@@ada%zz@@ada@example.com%", True, ADA_ROW, id="bad %-encoding"
    ),
    pytest.param("ada", "1@@%C3%28@@%FF", True, ADA_ROW, id="invalid UTF-8"),
]


@pytest.mark.parametrize(("user", "state", "raw", "row"), SIGNED_IN)
def test_an_odd_state_for_the_right_user_stores_the_token_data(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    portal_log: pytest.LogCaptureFixture,
    user: str,
    state: str,
    raw: bool,
    row: tuple[object, ...],
) -> None:
    code = _approved_code(sandbox, partner, user)
    sent = state if raw else quote(state, safe="@")

    response = portal.get(f"/ia/callback?code={code}&state={sent}")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert stored_rows() == ([row], 1)
    assert portal_warnings(portal_log) == []
    assert code not in portal_log.text
    assert state not in response.text


def test_a_state_naming_a_user_ia_does_not_know_is_refused(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    code = _approved_code(sandbox, partner, "ada")

    response = portal.get(f"/ia/callback?code={code}&state=999@@ada@@ada@example.com")

    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": MISMATCH},
    )
    assert stored_rows() == ([], 0)


def test_a_forged_second_code_is_refused_and_the_real_one_still_works(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    code = _approved_code(sandbox, partner, "ada")

    forged = portal.get(f"/ia/callback?code={code}&code=forged&state={ADA}")
    assert (forged.status_code, forged.json()["error"]) == (400, MISSING)
    assert stored_rows() == ([], 0)

    real = portal.get(f"/ia/callback?code={code}&state={ADA}")
    assert real.json() == {"status": "ok"}
    assert stored_rows() == ([ADA_ROW], 1)


def test_one_code_sent_twice_at_once_signs_in_once(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> None:
    code = _approved_code(sandbox, partner, "jose")
    path = f"/ia/callback?code={code}&state=2@@jose@@jose%2Bdemo@example.com"

    async def twice() -> list[tuple[int, object]]:
        transport = httpx.ASGITransport(app=create_routes())
        async with httpx.AsyncClient(transport=transport, base_url="http://p") as c:
            answers = await asyncio.gather(c.get(path), c.get(path))
        return sorted((answer.status_code, answer.json()) for answer in answers)

    assert run_async(twice()) == [
        (200, {"status": "ok"}),
        (400, {"status": "error", "error": UNKNOWN_CODE}),
    ]
    assert stored_rows() == ([JOSE_ROW], 1)


# IA's POST hint, beyond test_profile_hint.py's table; ada is signed in first.
# (body, content type, status, JSON answer)
HINTS = [
    pytest.param(b"user_id=%2B1", FORM, 400, BAD_HINT, id="%2B before id"),
    pytest.param(b"user_id=+1", FORM, 400, BAD_HINT, id="raw + before id"),
    pytest.param(b"user_id=%F0%9F%A6%84", FORM, 400, BAD_HINT, id="emoji"),
    pytest.param(b"user_id=%E2%80%AE1", FORM, 400, BAD_HINT, id="RLO before id"),
    pytest.param(
        b"user_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E", FORM, 400, BAD_HINT, id="HTML"
    ),
    pytest.param(b"user_id=1%20OR%201%3D1", FORM, 400, BAD_HINT, id="SQL"),
    pytest.param(b"user_id=9223372036854775808", FORM, 400, BAD_HINT, id="id 2**63"),
    pytest.param(b"user_id=1%00", FORM, 400, BAD_HINT, id="NUL after id"),
    pytest.param(b"user_id=\xff1", FORM, 400, BAD_HINT, id="raw non-ASCII byte"),
    pytest.param(b'{"user_id": 1}', FORM, 400, BAD_HINT, id="JSON labelled a form"),
    pytest.param(
        f"user_id=1&junk={TEN_KB}".encode(),
        FORM,
        413,
        "request body too large",
        id="10 kB body",
    ),
    pytest.param(
        b"user_id=1",
        {"Content-Type": "multipart/form-data; boundary=x"},
        415,
        "send user_id as application/x-www-form-urlencoded",
        id="multipart",
    ),
    pytest.param(
        b"user_id=1",
        {"Content-Type": "text/plain"},
        415,
        "send user_id as application/x-www-form-urlencoded",
        id="text/plain",
    ),
]


@pytest.fixture
def ada_signed_in(
    portal: TestClient, sandbox: httpx.Client, partner: Partner
) -> TestClient:
    code = _approved_code(sandbox, partner, "ada")
    assert portal.get(f"/ia/callback?code={code}&state={ADA}").status_code == 200
    return portal


def _hint_counts() -> tuple[int, int, int]:
    with open_session() as session:
        return (
            len(session.exec(select(IAUser)).all()),
            len(session.exec(select(IACallback)).all()),
            len(session.exec(select(ProfileChange)).all()),
        )


@pytest.mark.parametrize(("body", "headers", "status", "error"), HINTS)
def test_a_hostile_hint_is_refused_and_changes_nothing(
    ada_signed_in: TestClient,
    portal_log: pytest.LogCaptureFixture,
    body: bytes,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    portal_log.clear()

    response = ada_signed_in.post("/ia/callback", content=body, headers=headers)

    assert (response.status_code, response.json()) == (
        status,
        {"status": "error", "error": error},
    )
    assert _hint_counts() == (1, 1, 0)
    assert stored_rows() == ([ADA_ROW], 1)
    assert len(portal_warnings(portal_log)) == 1
    sent = _sent_values(body.decode("utf-8", "replace"))
    _assert_not_repeated(sent, response, portal_log)


def test_a_hint_with_a_10_kb_query_string_is_refused(
    ada_signed_in: TestClient,
) -> None:
    response = ada_signed_in.post(
        f"/ia/callback?junk={TEN_KB}", content=b"user_id=1", headers=FORM
    )
    assert (response.status_code, response.json()) == (
        414,
        {"status": "error", "error": "query string too long"},
    )
    assert _hint_counts() == (1, 1, 0)


def test_a_hint_in_the_query_string_instead_of_the_body_is_refused(
    ada_signed_in: TestClient,
) -> None:
    response = ada_signed_in.post("/ia/callback?user_id=1", content=b"", headers=FORM)
    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": BAD_HINT},
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"user_id=0001", FORM["Content-Type"], id="leading zeros"),
        pytest.param(
            b"user_id=1",
            "application/x-www-form-urlencoded; charset=utf-8",
            id="charset parameter",
        ),
    ],
)
def test_an_odd_but_valid_hint_re_syncs_the_user(
    ada_signed_in: TestClient, body: bytes, content_type: str
) -> None:
    response = ada_signed_in.post(
        "/ia/callback", content=body, headers={"Content-Type": content_type}
    )
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "result": "unchanged"},
    )
    assert _hint_counts() == (1, 1, 0)
