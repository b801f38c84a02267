"""Amounts of money: `Decimal` in the partner's registered currency, never float.

A currency's number of decimals (its minor units: 2 for USD, 0 for JPY, 3 for
KWD) comes from Babel's CLDR data. Amounts are stored as integer minor units.

People type amounts in more than one way; `parse_amount` accepts a dot or a
comma as the decimal mark and the other as grouping, and refuses what could be
read two ways (`1,234` may be 1234 or 1.234) rather than guess.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision


class AmountError(ValueError):
    """An amount that cannot be paid; the message says why, for the person."""


def _grouped(text: str, mark: str) -> bool:
    """Whether `text` is digits in thousands groups split by `mark`: `1,234,567`."""
    return re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", text) is not None


def minor_units(currency: str) -> int:
    """How many decimals `currency` has (ISO 4217, via Babel)."""
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """`263.90` USD → 26390. The amount must already fit the currency."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{amount} is finer than {currency} allows")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """26390 → `263.90` USD."""
    return Decimal(minor).scaleb(-minor_units(currency))


def for_ia(amount: Decimal, currency: str) -> str:
    """The amount as IA's `payment` parameter wants it: a dot, exact decimals."""
    return f"{amount:.{minor_units(currency)}f}"


def display(amount: Decimal, currency: str) -> str:
    """The amount formatted for people, e.g. `$1,234.50`, `¥500`."""
    return str(format_currency(amount, currency, locale="en_US"))


def _plain_number(text: str) -> str:
    """Rewrite a typed amount with `.` as the only mark, or raise AmountError."""
    if text.startswith("-"):
        raise AmountError("The amount must be more than zero")
    if not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise AmountError("Enter an amount using digits, like 12.50")
    dots, commas = text.count("."), text.count(",")

    if dots and commas:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = text.rpartition(decimal_mark)
        if not _grouped(whole, group_mark) or not re.fullmatch(r"\d+", fraction):
            raise AmountError(f"{text!r} is not a number we can read safely")
        return whole.replace(group_mark, "") + "." + fraction

    mark = "." if dots else "," if commas else ""
    if not mark:
        return text
    whole, _, fraction = text.rpartition(mark)
    if text.count(mark) == 1:
        if len(fraction) == 3 and whole and mark == ",":
            # `1,234`: a thousands group or three decimals. We won't guess. (A
            # lone dot is always the decimal mark: `1.234` KWD is 1.234.)
            raise AmountError(f"{text!r} is ambiguous: write 1234 or 1.234")
        return f"{whole or '0'}.{fraction}"
    # The mark repeats, so it can only group thousands: `1,234,567`.
    if not _grouped(text, mark):
        raise AmountError(f"{text!r} is not a number we can read safely")
    return text.replace(mark, "")


def parse_amount(
    text: str, currency: str, maximum: Decimal, allow_zero: bool = False
) -> Decimal:
    """Read an amount a person typed, checked for paying in `currency`.

    `allow_zero` accepts 0 (an optional tip of nothing), never a negative.

    Raises:
        AmountError: empty, not a plain number, zero (unless allowed) or
            negative, over `maximum`, finer than the currency allows, or
            ambiguous.
    """
    text = text.strip().replace(" ", "")
    if not text:
        raise AmountError("Enter an amount")
    amount = Decimal(_plain_number(text))
    if allow_zero and amount == 0:
        return amount.quantize(Decimal(1).scaleb(-minor_units(currency)))
    return check_amount(amount, currency, maximum)


def check_amount(amount: Decimal, currency: str, maximum: Decimal) -> Decimal:
    """Check an amount for paying in `currency`; returns it with exact decimals.

    Raises:
        AmountError: not finite, zero or negative, over `maximum`, or finer
            than the currency allows.
    """
    try:
        finite = amount.is_finite()
    except InvalidOperation:  # pragma: no cover - Decimal never raises here
        finite = False
    if not finite:
        raise AmountError("Enter an amount using digits, like 12.50")
    if amount <= 0:
        raise AmountError("The amount must be more than zero")
    if amount > maximum:
        raise AmountError(f"The amount must be at most {display(maximum, currency)}")
    places = minor_units(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        unit = "whole units" if places == 0 else f"{places} decimals"
        raise AmountError(f"{currency} amounts have at most {unit}")
    return amount.quantize(Decimal(1).scaleb(-places))
