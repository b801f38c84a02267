"""Portal logs: one line per protocol step, secrets removed by one filter."""

import io
import logging
from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from ia_portal.logs import RedactSecrets, configure_logging
from tests.sandbox_harness import CLIENT_SECRET, Partner, approve, ask, code_sent_to

FORM = {"content-type": "application/x-www-form-urlencoded"}

FILTER = RedactSecrets(secrets=("demo-secret-Q7",))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("secret is demo-secret-Q7 here", "secret is [redacted] here"),
        (
            "GET /view?client_id=c1&client_secret=abc123&payment=5",
            "GET /view?client_id=c1&client_secret=[redacted]&payment=5",
        ),
        ("Authorization: Bearer eyJ.abc-def", "Authorization: [redacted] [redacted]"),
        ("sent Bearer tok_123", "sent Bearer [redacted]"),
        ('{"access_token": "t0k3n"}', '{"access_token": "[redacted]"}'),
        (
            "callback ?code=Xy_9&state=1@@ada@@a",
            "callback ?code=[redacted]&state=1@@ada@@a",
        ),
        ("fetched IA user 12", "fetched IA user 12"),
    ],
)
def test_secrets_are_redacted(line: str, expected: str) -> None:
    assert FILTER.redact(line) == expected


def test_arguments_and_exceptions_are_redacted() -> None:
    try:
        raise ValueError("bad token=abc and demo-secret-Q7")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "ia_portal.x",
            logging.ERROR,
            __file__,
            1,
            "failed for %s",
            ("code=zz",),
            sys.exc_info(),
        )
    FILTER.filter(record)
    assert record.getMessage() == (
        "failed for code=[redacted] (ValueError: bad token=[redacted] and [redacted])"
    )
    assert record.exc_info is None


@pytest.fixture
def written_log() -> Iterator[Callable[[], list[str]]]:
    """The portal's one log handler, set up as the app does, writing to a buffer.

    Returns a function giving the lines written since it was last called,
    without their timestamps: what an operator reads, after the shared filter.
    """
    logger = logging.getLogger("ia_portal")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers.clear()
    configure_logging(secrets=(CLIENT_SECRET,))
    buffer = io.StringIO()
    (handler,) = logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)

    def lines() -> list[str]:
        written = buffer.getvalue().splitlines()
        buffer.seek(0)
        buffer.truncate()
        # "2026-12-04 06:30:00,123 INFO ia_portal.routes: …", without the date
        return [line.split(" ", 2)[2] for line in written]

    yield lines
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


@pytest.fixture
def portal(make_portal: Callable[..., TestClient], live_sandbox: str) -> TestClient:
    """The portal's routes for the live sandbox, on a fresh database."""
    return make_portal(live_sandbox)


def test_a_sign_in_and_a_re_sync_log_each_step_once_at_info(
    portal: TestClient,
    sandbox: httpx.Client,
    partner: Partner,
    written_log: Callable[[], list[str]],
) -> None:
    ask(sandbox, "ada")
    assert approve(sandbox, "ada").status_code == 200
    code = code_sent_to(partner)
    written_log()  # only the portal's own lines from here on

    assert portal.get(partner.paths[-1]).status_code == 200
    sign_in = written_log()

    assert sign_in == [
        "INFO ia_portal.routes: callback received for IA user 1",
        f"INFO ia_portal.ia_client: exchanged code {code[:4]}… for a token",
        "INFO ia_portal.ia_client: fetched IA user 1",
        "INFO ia_portal.users: stored IA user 1 (portal id 1)",
    ]

    response = portal.post("/ia/callback", content="user_id=1", headers=FORM)
    assert response.status_code == 200
    re_sync = written_log()

    assert re_sync == [
        "INFO ia_portal.routes: profile hint received for IA user 1",
        "INFO ia_portal.ia_client: fetched IA user 1",
        "INFO ia_portal.resync: re-sync of IA user 1: unchanged",
    ]
    assert not any(code in line or CLIENT_SECRET in line for line in sign_in)
