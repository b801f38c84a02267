"""The demo users every sandbox starts with.

Their usernames are a public contract: the portal's tests and docs name
them. Together they cover a ``+`` in an email, non-ASCII names and a user
without a phone. On an empty database they get ids 1, 2 and 3 in this order.
"""

import logging

from sqlalchemy import Engine
from sqlmodel import select

from ia_sandbox.db import session
from ia_sandbox.models import User

logger = logging.getLogger(__name__)

DEMO_USERS = (
    User(
        username="ada",
        email="ada@example.com",
        name="Ada Lovelace",
        phone="+44 20 7946 0018",
    ),
    User(
        username="jose",
        email="jose+demo@example.com",
        name="José Ñandú",
        phone="+34 600 000 123",
    ),
    User(username="grace", email="grace@example.com", name="Grace Hopper"),
)


def seed_demo_users(engine: Engine) -> None:
    """Add each demo user whose username is not taken yet (idempotent).

    Existing users are left as they are, so edits survive a restart.
    """
    with session(engine) as db:
        taken = set(db.exec(select(User.username)).all())
        for demo in DEMO_USERS:
            if demo.username not in taken:
                db.add(User.model_validate(demo.model_dump(exclude={"id"})))
                logger.info("seeded demo user %s", demo.username)
        db.commit()
