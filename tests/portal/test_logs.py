"""The shared log filter keeps secrets out of log lines (ia_portal.logs)."""

import logging

import pytest

from ia_portal.logs import RedactSecrets

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
