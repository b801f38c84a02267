"""Parsing IA's callback `state` and user answers (ia_portal.protocol)."""

import pytest

from ia_portal.protocol import (
    CallbackState,
    IAUserData,
    ProtocolError,
    parse_state,
    parse_user_payload,
)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("1@@ada@@ada@example.com", CallbackState(1, "ada", "ada@example.com")),
        (
            "2@@jose@@jose+demo@example.com",
            CallbackState(2, "jose", "jose+demo@example.com"),
        ),
        ("7@@mei@lab@@mei@example.com", CallbackState(7, "mei@lab", "mei@example.com")),
        ("7@@odd@@name@@x@example.com", CallbackState(7, "odd@@name", "x@example.com")),
        (
            "3@@José Ñandú@@j@example.com",
            CallbackState(3, "José Ñandú", "j@example.com"),
        ),
        ("4@@@@grace@example.com", CallbackState(4, "", "grace@example.com")),
        ("5@@grace@@", CallbackState(5, "grace", "")),
    ],
)
def test_state_parts(state: str, expected: CallbackState) -> None:
    assert parse_state(state) == expected


@pytest.mark.parametrize(
    "state",
    [
        "",
        "1",
        "1@@ada",
        "@@ada@@ada@example.com",
        "x@@ada@@ada@example.com",
        "-1@@ada@@ada@example.com",
        "0@@ada@@ada@example.com",
        "1.5@@ada@@a@example.com",
        "١@@ada@@ada@example.com",
        "9" * 400 + "@@ada@@ada@example.com",
    ],
)
def test_malformed_state_is_refused(state: str) -> None:
    with pytest.raises(ProtocolError):
        parse_state(state)


ADA = IAUserData(
    user_id=1,
    username="ada",
    email="ada@example.com",
    name="Ada Lovelace",
    phone="+44 20 7946 0018",
    items={
        "username": "ada",
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "phone": "+44 20 7946 0018",
    },
)


def _answer(data: object) -> dict[str, object]:
    return {
        "success": True,
        "message": "User data items retrieved successfully",
        "data": data,
    }


def test_user_data_as_object() -> None:
    data = {
        "id": 1,
        "username": "ada",
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "phone": "+44 20 7946 0018",
    }
    assert parse_user_payload(_answer(data)) == ADA


def test_user_data_as_list_of_pairs_with_capital_email() -> None:
    data = [
        ["id", "1"],
        ["username", "ada"],
        ["Email", "ada@example.com"],
        ["Name", "Ada Lovelace"],
        ["PHONE", "+44 20 7946 0018"],
    ]
    assert parse_user_payload(_answer(data)) == ADA


def test_user_data_as_list_of_one_key_objects() -> None:
    data = [
        {"id": 1},
        {"username": "ada"},
        {"Email": "ada@example.com"},
        {"name": "Ada Lovelace"},
        {"phone": "+44 20 7946 0018"},
    ]
    assert parse_user_payload(_answer(data)) == ADA


def test_missing_email_and_phone_are_empty() -> None:
    user = parse_user_payload(_answer({"id": 3, "username": "grace"}))
    assert (user.email, user.phone, user.name) == ("", None, "")


def test_non_ascii_and_plus_survive() -> None:
    data = {"id": 2, "name": "José Ñandú", "email": "jose+demo@example.com"}
    user = parse_user_payload(_answer(data))
    assert (user.name, user.email) == ("José Ñandú", "jose+demo@example.com")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "not a JSON object"),
        (
            {"success": False, "message": "Token revoked"},
            "did not return the user's data: Token revoked",
        ),
        ({"success": "true", "data": {"id": 1}}, "did not return the user's data"),
        (_answer("id=1"), "neither an object nor a list of pairs"),
        (_answer(None), "neither an object nor a list of pairs"),
        (_answer([["id", 1, 2]]), "not a pair"),
        (_answer({"username": "ada"}), "has no id"),
        (_answer({"id": "abc"}), "positive integer"),
        (_answer({"id": True}), "positive integer"),
        (_answer({"id": 1, "email": {"x": 1}}), "'email' is not a plain value"),
        (
            _answer([["Email", "a@x"], ["email", "b@x"], ["id", 1]]),
            "gives 'email' twice",
        ),
        (_answer({"id": 1, "name": "a\x00b"}), "'name' is not acceptable text"),
        (_answer({"id": 1, "name": "x" * 1001}), "'name' is not acceptable text"),
    ],
)
def test_bad_user_answers_are_refused_clearly(payload: object, message: str) -> None:
    with pytest.raises(ProtocolError, match=message.replace("(", r"\(")):
        parse_user_payload(payload)
