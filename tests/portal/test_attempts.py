"""The server-side proof that turns a browser's `success` into a sign-in."""

import datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from ia_portal.attempts import (
    claim_callback,
    confirm_approval,
    finish_attempt,
    open_attempt,
    open_attempt_of,
    start_attempt,
)
from ia_portal.models import IAAttempt, IACallback, IAUser, Payment, utcnow
from ia_portal.payments import start_payment
from ia_portal.protocol import IAUserData
from ia_portal.users import store_signed_in_user

WINDOW = datetime.timedelta(seconds=120)
TAB = "tab-1"


def _ada(**changes: str) -> IAUserData:
    fields = {
        "username": "ada",
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "phone": "+44 20 7946 0018",
    }
    fields.update(changes)
    items = {key: value for key, value in fields.items() if value}
    return IAUserData(
        user_id=1,
        username=fields["username"],
        email=fields["email"],
        name=fields["name"],
        phone=fields["phone"] or None,
        items=items,
    )


def _age_callbacks(db: Session, seconds: int) -> None:
    for callback in db.exec(select(IACallback)).all():
        callback.received_at -= datetime.timedelta(seconds=seconds)
        db.add(callback)
    db.commit()


def test_callback_after_attempt_signs_in(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    store_signed_in_user(db, _ada(), "token-1")

    user = confirm_approval(db, attempt.id, TAB, "ada", WINDOW)

    assert user is not None and user.ia_user_id == 1
    assert db.get(IAAttempt, attempt.id).status == "confirmed"


@pytest.mark.parametrize("login", ["ada@example.com", "ADA", " Ada@Example.com "])
def test_username_or_email_in_any_case_matches(db: Session, login: str) -> None:
    attempt = start_attempt(db, TAB)
    store_signed_in_user(db, _ada(), "token-1")
    assert confirm_approval(db, attempt.id, TAB, login, WINDOW) is not None


def test_no_callback_means_no_sign_in(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None
    assert db.get(IAAttempt, attempt.id).status == "unconfirmed"


def test_callback_before_the_attempt_does_not_count(db: Session) -> None:
    store_signed_in_user(db, _ada(), "token-1")
    _age_callbacks(db, 5)
    attempt = start_attempt(db, TAB)
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None


def test_callback_outside_the_window_does_not_count(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    attempt.started_at -= datetime.timedelta(seconds=300)
    db.add(attempt)
    db.commit()
    store_signed_in_user(db, _ada(), "token-1")
    _age_callbacks(db, 121)
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None


def test_success_for_another_user_does_not_count(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    store_signed_in_user(db, _ada(), "token-1")
    assert confirm_approval(db, attempt.id, TAB, "grace", WINDOW) is None


def test_one_callback_signs_in_only_once(db: Session) -> None:
    first, second = start_attempt(db, "tab-1"), start_attempt(db, "tab-2")
    store_signed_in_user(db, _ada(), "token-1")

    assert confirm_approval(db, first.id, "tab-1", "ada", WINDOW) is not None
    assert confirm_approval(db, second.id, "tab-2", "ada", WINDOW) is None


def test_a_confirmed_attempt_cannot_be_replayed(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    store_signed_in_user(db, _ada(), "token-1")
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is not None

    store_signed_in_user(db, _ada(), "token-2")
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None


def test_another_tabs_attempt_is_refused(db: Session) -> None:
    attempt = start_attempt(db, "tab-1")
    store_signed_in_user(db, _ada(), "token-1")
    assert confirm_approval(db, attempt.id, "tab-2", "ada", WINDOW) is None
    assert db.get(IAAttempt, attempt.id).status == "open"


def test_a_denied_attempt_cannot_sign_in(db: Session) -> None:
    attempt = start_attempt(db, TAB)
    assert finish_attempt(db, attempt.id, TAB, "denied") is True
    store_signed_in_user(db, _ada(), "token-1")
    assert confirm_approval(db, attempt.id, TAB, "ada", WINDOW) is None


def test_a_new_attempt_closes_the_tabs_older_one(db: Session) -> None:
    old = start_attempt(db, TAB)
    start_attempt(db, TAB)
    assert open_attempt(db, old.id) is None
    assert db.get(IAAttempt, old.id).status == "closed"


def test_second_sign_in_updates_the_user_row(db: Session) -> None:
    store_signed_in_user(db, _ada(), "token-1")
    store_signed_in_user(db, _ada(phone="", name="Ada King"), "token-2")

    users = db.exec(select(IAUser)).all()
    assert len(users) == 1
    assert (users[0].name, users[0].phone, users[0].access_token) == (
        "Ada King",
        None,
        "token-2",
    )
    assert users[0].profile_items == {
        "username": "ada",
        "email": "ada@example.com",
        "name": "Ada King",
    }
    assert len(db.exec(select(IACallback)).all()) == 2


def test_last_synced_moves_forward(db: Session) -> None:
    before = utcnow()
    user = store_signed_in_user(db, _ada(), "token-1")
    assert user.last_synced_at >= before


def test_a_new_attempt_times_out_stale_ones_and_their_payments(db: Session) -> None:
    stale = start_payment(db, "tab-old", Decimal("5.00"), "USD", "mug")
    stale.started_at -= datetime.timedelta(minutes=11)
    db.add(stale)
    db.commit()

    start_attempt(db, TAB)

    assert db.get(IAAttempt, stale.id).status == "timeout"
    assert db.exec(select(Payment)).one().status == "timeout"


def test_a_tabs_open_attempt_is_found_by_purpose(db: Session) -> None:
    payment = start_payment(db, TAB, Decimal("5.00"), "USD", "mug")

    assert open_attempt_of(db, TAB, "signin") is None
    found = open_attempt_of(db, TAB, "payment")
    assert found is not None and found.id == payment.id
    assert open_attempt_of(db, "tab-2", "payment") is None

    finish_attempt(db, payment.id, TAB, "closed")
    assert open_attempt_of(db, TAB, "payment") is None


def test_a_lost_attempt_is_approved_only_by_that_users_callback(db: Session) -> None:
    payment = start_payment(db, TAB, Decimal("5.00"), "USD", "mug")
    ada = store_signed_in_user(db, _ada(), "token-1")
    store_signed_in_user(
        db,
        IAUserData(
            user_id=2,
            username="grace",
            email="grace@example.com",
            name="Grace Hopper",
            phone=None,
            items={"username": "grace"},
        ),
        "token-2",
    )
    # grace's callback arrived during the attempt, but grace is not the payer.
    ada_callback = db.exec(select(IACallback).where(IACallback.ia_user_id == 1)).one()
    ada_callback.claimed_by_attempt = "an-earlier-attempt"
    db.add(ada_callback)
    db.commit()

    assert claim_callback(db, db.get(IAAttempt, payment.id), ada, WINDOW) is False
    assert db.get(IAAttempt, payment.id).status == "open"

    store_signed_in_user(db, _ada(), "token-3")
    assert claim_callback(db, db.get(IAAttempt, payment.id), ada, WINDOW) is True
    assert db.get(IAAttempt, payment.id).status == "confirmed"
    assert db.exec(select(Payment)).one().status == "paid"
    assert db.exec(select(Payment)).one().user_id == ada.id
    grace_callback = db.exec(select(IACallback).where(IACallback.ia_user_id == 2))
    assert grace_callback.one().claimed_by_attempt is None
