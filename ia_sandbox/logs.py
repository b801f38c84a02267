"""Logging for ``python -m ia_sandbox``, with credentials kept out.

The frame's URL carries ``client_secret`` by the platform's design, and the
server's access log prints every request line in full, including the
request refs the frame polls with.
"""

import logging
import re

_SECRET_PARAM = re.compile(r"(?<![\w%])(client_secret=)[^&\s\"]*", re.IGNORECASE)
_CODE_PARAM = re.compile(r"(?<![\w%])(code=[^&\s\"]{0,4})[^&\s\"]*")
_REQUEST_REF = re.compile(r"(/authorize/request/[\w-]{0,4})[\w-]*")


def scrub(text: str) -> str:
    """``text`` with the secret blanked and codes and refs cut to 4 chars."""
    text = _SECRET_PARAM.sub(r"\1…", text)
    text = _CODE_PARAM.sub(r"\1…", text)
    return _REQUEST_REF.sub(r"\1…", text)


# Requests the frame and the phone page repeat every second or so: logging
# each would bury the protocol's steps.
_POLLS = re.compile(
    r'"GET (/healthz|/api/partner/authorize/request/[^ ]+|/app/[^ ]+/requests) '
)


class QuietPolls(logging.Filter):
    """Drop successful access-log lines of the polling requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.access":
            return True
        line = record.getMessage()
        return not (_POLLS.search(line) and line.rstrip().endswith(" 200"))


class RedactSecrets(logging.Filter):
    """Scrub a record's message and its string arguments (see `scrub`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                scrub(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def configure() -> None:
    """Log INFO and up to stderr, one line a record, credentials redacted.

    Uvicorn's loggers propagate here when it runs with ``log_config=None``.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(QuietPolls())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs each request's full URL, which for the callback holds the
    # code; the sandbox logs the callback's outcome itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)
