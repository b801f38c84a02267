"""The demo users: a public contract the portal's tests rely on."""

from pathlib import Path

from sqlmodel import col, select

from ia_sandbox.db import create_tables, make_engine, session
from ia_sandbox.models import User
from ia_sandbox.seed import seed_demo_users
from tests.sandbox_harness import Partner, make_settings


def _users(tmp_path: Path, partner: Partner, runs: int) -> list[tuple[object, ...]]:
    engine = make_engine(make_settings(tmp_path, partner))
    create_tables(engine)
    for _ in range(runs):
        seed_demo_users(engine)
    with session(engine) as db:
        users = db.exec(select(User).order_by(col(User.id))).all()
    return [(u.id, u.username, u.email, u.name, u.phone) for u in users]


def test_demo_users_have_the_documented_data(tmp_path: Path, partner: Partner) -> None:
    assert _users(tmp_path, partner, runs=1) == [
        (1, "ada", "ada@example.com", "Ada Lovelace", "+44 20 7946 0018"),
        (2, "jose", "jose+demo@example.com", "José Ñandú", "+34 600 000 123"),
        (3, "grace", "grace@example.com", "Grace Hopper", None),
    ]


def test_seeding_twice_adds_nobody(tmp_path: Path, partner: Partner) -> None:
    assert len(_users(tmp_path, partner, runs=2)) == 3
