"""The IA protocol's data, parsed defensively: the callback's `code` and `state`,
and IA's user answers.

IA's `state` is `userid@@username@@email`, not an anti-forgery value, and IA's
user answers come in more than one shape. All are read here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

STATE_SEPARATOR = "@@"
MAX_ITEM_LENGTH = 1000
# RFC 6749 (appendix A.11): a code is made of VSCHAR, printable ASCII and space.
_CODE_CHARACTERS = frozenset(map(chr, range(0x20, 0x7F)))


class ProtocolError(ValueError):
    """IA sent something that does not fit the protocol; the message says what."""


@dataclasses.dataclass(frozen=True)
class CallbackState:
    """The parts of a callback's `state` (informative only: the token's data wins)."""

    user_id: int
    username: str
    email: str


@dataclasses.dataclass(frozen=True)
class IAUserData:
    """What `GET /api/public/user` returned, with keys lower-cased."""

    user_id: int
    username: str
    email: str
    name: str
    phone: str | None
    items: dict[str, str]


def check_code(code: str) -> str:
    """Return `code` if it has the characters an OAuth authorization code may have.

    Raises:
        ProtocolError: the code holds a control character or non-ASCII text,
            which no authorization server issues; IA is not asked about it.
    """
    if not code or not _CODE_CHARACTERS.issuperset(code):
        raise ProtocolError("code is not an authorization code")
    return code


def parse_state(state: str) -> CallbackState:
    """Split `userid@@username@@email`.

    The user id runs to the first separator and the email starts after the last
    one, so a username may itself contain `@` or even `@@`. The username and
    email may be empty or hold any printable text: they are informative only
    (the token's data is the identity) and are never stored or shown.

    Raises:
        ProtocolError: fewer than three parts, a control character (NUL, a line
            break) anywhere, or a user id that is not a positive integer.
    """
    if any(unicodedata.category(char) == "Cc" for char in state):
        raise ProtocolError("state holds a control character")
    head, sep, rest = state.partition(STATE_SEPARATOR)
    username, sep2, email = rest.rpartition(STATE_SEPARATOR)
    if not sep or not sep2:
        raise ProtocolError("state must be userid@@username@@email")
    return CallbackState(_user_id(head), username, email)


def _user_id(value: object) -> int:
    """IA's user id: a positive integer, given as a number or as decimal digits."""
    if isinstance(value, bool):
        raise ProtocolError("user id must be a positive integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > 18:
            raise ProtocolError("user id is too long")
        number = int(value)
    else:
        raise ProtocolError("user id must be a positive integer")
    if not 0 < number < 2**63:
        raise ProtocolError("user id must be a positive integer")
    return number


def parse_user_payload(payload: Any) -> IAUserData:
    """Read IA's `{"success": true, "message": ..., "data": ...}` user answer.

    `data` may be an object, a list of `[key, value]` pairs or a list of one-key
    objects; keys are matched in any case (IA's own samples write `Email`).

    Raises:
        ProtocolError: the answer is not a successful user answer of those shapes.
    """
    if not isinstance(payload, dict):
        raise ProtocolError("IA's user answer is not a JSON object")
    if payload.get("success") is not True:
        message = payload.get("message")
        shown = _printable(message) if isinstance(message, str) else ""
        detail = f": {shown}" if shown else ""
        raise ProtocolError(f"IA did not return the user's data{detail}")

    items = _items(payload.get("data"))
    if "id" not in items:
        raise ProtocolError("IA's user data has no id")
    user_id = _user_id(items.pop("id"))
    texts = {key: _text(key, value) for key, value in items.items()}
    return IAUserData(
        user_id=user_id,
        username=texts.get("username", ""),
        email=texts.get("email", ""),
        name=texts.get("name", ""),
        phone=texts.get("phone") or None,
        items=texts,
    )


def _printable(text: str) -> str:
    """IA's own message, cut short and on one line, fit for an error or a log."""
    shown = "".join(
        char if unicodedata.category(char)[0] not in "CZ" else " "
        for char in text[:200]
    )
    return " ".join(shown.split())


def _items(data: object) -> dict[str, object]:
    """Flatten the accepted shapes of `data` into one dict with lower-case keys."""
    pairs: list[tuple[object, object]]
    if isinstance(data, dict):
        pairs = list(data.items())
    elif isinstance(data, list):
        pairs = []
        for entry in data:
            if isinstance(entry, list | tuple) and len(entry) == 2:
                pairs.append((entry[0], entry[1]))
            elif isinstance(entry, dict) and len(entry) == 1:
                pairs.extend(entry.items())
            else:
                raise ProtocolError("IA's user data list holds something not a pair")
    else:
        raise ProtocolError("IA's user data is neither an object nor a list of pairs")

    items: dict[str, object] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not key.strip():
            raise ProtocolError("IA's user data has a key that is not a name")
        name = key.strip().lower()
        if name in items and items[name] != value:
            raise ProtocolError(f"IA's user data gives {name[:40]!r} twice")
        items[name] = value
    return items


def _text(key: str, value: object) -> str:
    """One profile item as text; nested values are not profile items."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    if not isinstance(value, str):
        raise ProtocolError(f"IA's user data item {key[:40]!r} is not a plain value")
    if len(value) > MAX_ITEM_LENGTH or "\x00" in value:
        raise ProtocolError(f"IA's user data item {key[:40]!r} is not acceptable text")
    return value.strip()
