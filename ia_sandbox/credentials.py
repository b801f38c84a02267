"""Random credentials, their stored form, and their safe form for logs."""

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """A fresh URL-safe random credential (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """The hex SHA-256 of a credential: the only form the database keeps."""
    return hashlib.sha256(value.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())


def redact(value: str) -> str:
    """At most the first four characters, for a log line: ``abcd…``."""
    return value[:4] + "…"
