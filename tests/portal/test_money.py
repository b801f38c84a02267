"""Amounts: parsing what people type, minor units, and IA's `payment` format."""

from decimal import Decimal

import pytest

from ia_portal.money import (
    AmountError,
    check_amount,
    display,
    for_ia,
    from_minor,
    parse_amount,
    to_minor,
)

MAX = Decimal("10000")


@pytest.mark.parametrize(
    ("typed", "currency", "amount", "minor"),
    [
        ("263.90", "USD", "263.90", 26390),
        ("543.93", "USD", "543.93", 54393),
        ("12.50", "USD", "12.50", 1250),
        ("12,50", "EUR", "12.50", 1250),
        ("1,234.56", "USD", "1234.56", 123456),
        ("1.234,56", "EUR", "1234.56", 123456),
        ("1,23", "USD", "1.23", 123),
        ("0,5", "USD", "0.50", 50),
        (".5", "USD", "0.50", 50),
        ("7", "USD", "7.00", 700),
        (" 1 234.50 ", "USD", "1234.50", 123450),
        ("1,234,567", "JPY", "1234567", 1234567),
        ("500", "JPY", "500", 500),
        ("1.234", "KWD", "1.234", 1234),
        ("9999.99", "USD", "9999.99", 999999),
    ],
)
def test_typed_amounts(typed: str, currency: str, amount: str, minor: int) -> None:
    maximum = Decimal("2000000") if currency == "JPY" else MAX
    parsed = parse_amount(typed, currency, maximum)
    assert (str(parsed), to_minor(parsed, currency)) == (amount, minor)


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("", "USD", "Enter an amount"),
        ("-5", "USD", "The amount must be more than zero"),
        ("0", "USD", "The amount must be more than zero"),
        ("0.00", "USD", "The amount must be more than zero"),
        ("NaN", "USD", "Enter an amount using digits, like 12.50"),
        ("Infinity", "USD", "Enter an amount using digits, like 12.50"),
        ("1e3", "USD", "Enter an amount using digits, like 12.50"),
        ("$5", "USD", "Enter an amount using digits, like 12.50"),
        ("0.001", "USD", "USD amounts have at most 2 decimals"),
        ("12.345", "USD", "USD amounts have at most 2 decimals"),
        ("500.5", "JPY", "JPY amounts have at most whole units"),
        ("1.2345", "KWD", "KWD amounts have at most 3 decimals"),
        ("1,234", "USD", "'1,234' is ambiguous: write 1234 or 1.234"),
        ("1,23,456", "USD", "'1,23,456' is not a number we can read safely"),
        ("1.2.3", "USD", "'1.2.3' is not a number we can read safely"),
        ("1,2.3,4", "USD", "'1,2.3,4' is not a number we can read safely"),
        ("10000.01", "USD", "The amount must be at most $10,000.00"),
        (",", "USD", "Enter an amount using digits, like 12.50"),
    ],
)
def test_refused_amounts(typed: str, currency: str, message: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency, MAX)
    assert str(refused.value) == message


def test_no_float_rounding() -> None:
    total = Decimal("0.1") + Decimal("0.2")
    assert for_ia(check_amount(total, "USD", MAX), "USD") == "0.30"


@pytest.mark.parametrize(
    ("amount", "currency", "payment"),
    [("263.9", "USD", "263.90"), ("500", "JPY", "500"), ("1.2", "KWD", "1.200")],
)
def test_payment_parameter_has_the_currency_decimals(
    amount: str, currency: str, payment: str
) -> None:
    assert for_ia(Decimal(amount), currency) == payment


def test_minor_units_round_trip() -> None:
    assert from_minor(26390, "USD") == Decimal("263.90")
    assert from_minor(500, "JPY") == Decimal("500")
    assert from_minor(1234, "KWD") == Decimal("1.234")


def test_to_minor_refuses_a_finer_amount() -> None:
    with pytest.raises(AmountError):
        to_minor(Decimal("0.001"), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [("1234.5", "USD", "$1,234.50"), ("500", "JPY", "¥500"), ("12.5", "EUR", "€12.50")],
)
def test_display(amount: str, currency: str, shown: str) -> None:
    assert display(Decimal(amount), currency) == shown


@pytest.mark.parametrize(("typed", "amount"), [("0", "0.00"), ("0,00", "0.00")])
def test_a_zero_tip_is_allowed_when_asked(typed: str, amount: str) -> None:
    assert str(parse_amount(typed, "USD", MAX, allow_zero=True)) == amount


def test_allow_zero_still_refuses_negatives() -> None:
    with pytest.raises(AmountError, match="more than zero"):
        parse_amount("-1", "USD", MAX, allow_zero=True)
