"""A user's profile as the phone app edits it: validation, then saving.

The editable items are the ones a partner reads: name, email and phone (the
username is the account's name and never changes). `parse_profile` checks
what the form sent; `save_profile` checks the email is free and writes.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from ia_sandbox.models import User

logger = logging.getLogger(__name__)

MAX_NAME = 100
MAX_EMAIL = 254  # the longest address SMTP can carry (RFC 5321)
MAX_PHONE = 32

# Deliberately loose: one "@", a local part, and a dotted domain without
# empty labels. Deliverability is the mail server's business, not ours.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9 ().\-]+")

# Control characters, lone surrogates, and line or paragraph separators:
# none belongs in a one-line item, and each can garble a partner's page.
_FORBIDDEN = {"Cc", "Cs", "Zl", "Zp"}


class InvalidProfile(ValueError):
    """An item is refused; ``field`` names it and ``str(exc)`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Profile:
    """The editable items, trimmed; ``phone`` is None when left empty."""

    name: str
    email: str
    phone: str | None


def user_named(db: Session, username: str) -> User | None:
    """The user whose username is exactly ``username``."""
    return db.exec(select(User).where(User.username == username)).first()


def _text(body: dict[str, Any], field: str, label: str, longest: int) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        raise InvalidProfile(field, f"{label} must be text.")
    value = value.strip()
    if len(value) > longest:
        raise InvalidProfile(field, f"{label} is too long (at most {longest}).")
    if any(unicodedata.category(char) in _FORBIDDEN for char in value):
        raise InvalidProfile(field, f"{label} contains a control character.")
    return value


def parse_profile(body: dict[str, Any]) -> Profile:
    """Validate ``{"name", "email", "phone"}`` as the phone's form sends it.

    Raises:
        InvalidProfile: for the first item refused, with a sentence for the
            user.
    """
    name = _text(body, "name", "Name", MAX_NAME)
    if not name:
        raise InvalidProfile("name", "Enter your name.")

    email = _text(body, "email", "Email", MAX_EMAIL)
    if not _EMAIL.fullmatch(email):
        raise InvalidProfile("email", "Enter an email address like name@example.com.")

    phone = _text(body, "phone", "Phone", MAX_PHONE)
    digits = sum(char.isdigit() for char in phone)
    if phone and (not _PHONE.fullmatch(phone) or digits < 3):
        raise InvalidProfile(
            "phone",
            "Enter a phone number of digits, spaces and + ( ) - . or leave it empty.",
        )
    return Profile(name=name, email=email, phone=phone or None)


def _taken(db: Session, user: User, email: str) -> bool:
    # Sign-in matches usernames and emails alike, ignoring case (see
    # `approvals.find_user`), so an email may match neither of another user.
    wanted = email.lower()
    other = db.exec(
        select(User.id)
        .where(col(User.id) != user.id)
        .where(
            or_(func.lower(User.email) == wanted, func.lower(User.username) == wanted)
        )
    ).first()
    return other is not None


def save_profile(db: Session, user: User, profile: Profile) -> list[str]:
    """Write ``profile`` over ``user``'s items; return the items that changed.

    Nothing is written when nothing changed.

    Raises:
        InvalidProfile: the email belongs to another account.
    """
    changed = [
        field
        for field in ("name", "email", "phone")
        if getattr(user, field) != getattr(profile, field)
    ]
    if not changed:
        return changed
    if "email" in changed and _taken(db, user, profile.email):
        raise InvalidProfile("email", "That email is used by another account.")

    user.name, user.email, user.phone = profile.name, profile.email, profile.phone
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        # Another save took the email between the check and this write.
        db.rollback()
        raise InvalidProfile(
            "email", "That email is used by another account."
        ) from None
    logger.info("profile of %s saved (%s changed)", user.username, ", ".join(changed))
    return changed
