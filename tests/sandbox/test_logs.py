"""The sandbox's log filters: credentials redacted, polling lines dropped."""

import logging

import pytest

from ia_sandbox.logs import QuietPolls, scrub


def _access(path: str, status: int) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", status),
        None,
    )


@pytest.mark.parametrize(
    ("path", "status", "kept"),
    [
        ("/healthz", 200, False),
        ("/api/partner/authorize/request/abcd1234", 200, False),
        ("/app/ada/requests", 200, False),
        ("/app/ada/requests", 404, True),
        ("/app/ada", 200, True),
        ("/api/oauth/token", 200, True),
    ],
)
def test_polling_lines_are_dropped(path: str, status: int, kept: bool) -> None:
    assert QuietPolls().filter(_access(path, status)) is kept


def test_other_loggers_are_untouched() -> None:
    record = logging.LogRecord(
        "ia_sandbox.phone", logging.INFO, __file__, 1, "GET /healthz 200", (), None
    )
    assert QuietPolls().filter(record) is True


def test_the_secret_is_blanked() -> None:
    line = "GET /api/partner/authorize/view?client_id=c&client_secret=s3cr3t HTTP/1.1"
    assert scrub(line) == (
        "GET /api/partner/authorize/view?client_id=c&client_secret=… HTTP/1.1"
    )
