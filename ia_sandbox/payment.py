"""Payment amounts as the frame's ``payment`` parameter carries them."""

import re
from decimal import Decimal

# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS = {"BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JPY": 0}

# A plain decimal: no sign, exponent, grouping or leading zeros; the integer
# part is capped so an amount stays a sensible number of digits.
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]+)?")


class InvalidAmount(ValueError):
    """The amount is not a positive plain decimal in the currency's units."""


def minor_units(currency: str) -> int:
    """How many decimals the currency allows (2 unless listed otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


def parse_amount(text: str, currency: str) -> str:
    """Validate ``text`` as an amount of ``currency`` and return it canonical.

    The canonical form carries exactly the currency's decimals, so
    ``"12.5"`` in USD becomes ``"12.50"`` and ``"500"`` in JPY stays ``"500"``.

    Raises:
        InvalidAmount: with a sentence fit to show the user.
    """
    match = _AMOUNT.fullmatch(text)
    places = minor_units(currency)
    if match is None:
        raise InvalidAmount(f"“{text}” is not a plain decimal amount.")
    decimals = len(match.group(2) or ".") - 1
    if decimals > places:
        raise InvalidAmount(
            f"“{text}” has more decimals than {currency} allows ({places})."
        )
    amount = Decimal(text)
    if amount <= 0:
        raise InvalidAmount(f"“{text}” is not a positive amount.")
    return f"{amount:.{places}f}"
