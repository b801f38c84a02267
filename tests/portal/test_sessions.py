"""Signed-in sessions kept in the database (ia_portal.sessions)."""

import datetime

from sqlmodel import Session, select

from ia_portal.models import PortalSession
from ia_portal.protocol import IAUserData
from ia_portal.sessions import end_portal_session, open_portal_session, user_for_token
from ia_portal.users import store_signed_in_user

DAY = datetime.timedelta(days=1)
GRACE = IAUserData(3, "grace", "grace@example.com", "Grace Hopper", None, {})


def test_a_token_finds_its_user(db: Session) -> None:
    user = store_signed_in_user(db, GRACE, "token")
    token = open_portal_session(db, user, DAY)
    found = user_for_token(db, token)
    assert found is not None and found.username == "grace"


def test_only_a_hash_of_the_token_is_stored(db: Session) -> None:
    user = store_signed_in_user(db, GRACE, "token")
    token = open_portal_session(db, user, DAY)
    row = db.exec(select(PortalSession)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_unknown_and_empty_tokens_find_no_one(db: Session) -> None:
    store_signed_in_user(db, GRACE, "token")
    assert user_for_token(db, "not-a-session") is None
    assert user_for_token(db, "") is None


def test_signing_out_ends_the_session(db: Session) -> None:
    user = store_signed_in_user(db, GRACE, "token")
    token = open_portal_session(db, user, DAY)
    end_portal_session(db, token)
    end_portal_session(db, token)
    assert user_for_token(db, token) is None


def test_an_expired_session_finds_no_one(db: Session) -> None:
    user = store_signed_in_user(db, GRACE, "token")
    token = open_portal_session(db, user, datetime.timedelta(seconds=-1))
    assert user_for_token(db, token) is None
