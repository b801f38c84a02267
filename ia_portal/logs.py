"""Logging for the portal: one handler for the `ia_portal` loggers, secrets redacted.

Every module logs through `logging.getLogger(__name__)`; `configure_logging()`
gives those loggers one stderr handler whose filter removes the client secret
and anything shaped like a code, token or secret before a line is written.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Values that follow these names in URLs, forms, JSON or headers are secrets.
_SECRET_FIELDS = re.compile(
    r"(?P<name>client_secret|access_token|code|token|authorization)"
    r"(?P<sep>[\"']?\s*[=:]\s*[\"']?)(?P<value>[^\s&\"',;]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<name>Bearer)(?P<sep>\s+)(?P<value>[\w.~+/=-]+)", re.I)


class RedactSecrets(logging.Filter):
    """Rewrite each record's message without the secrets it may carry."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in (_BEARER, _SECRET_FIELDS):
            text = pattern.sub(rf"\g<name>\g<sep>{REDACTED}", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            # Keep the kind of error, drop its text and frames: they may hold values.
            error = record.exc_info[1]
            record.msg += f" ({type(error).__name__}: {self.redact(str(error))[:300]})"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(secrets: tuple[str, ...] = (), level: int = logging.INFO) -> None:
    """Send `ia_portal.*` records at `level` to stderr, through `RedactSecrets`."""
    logger = logging.getLogger("ia_portal")
    if any(isinstance(f, RedactSecrets) for h in logger.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactSecrets(secrets))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
