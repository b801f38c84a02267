"""Payment amounts: plain positive decimals in the currency's minor units."""

import pytest

from ia_sandbox.payment import InvalidAmount, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "canonical"),
    [
        ("12.50", "USD", "12.50"),
        ("12.5", "USD", "12.50"),
        ("0.01", "EUR", "0.01"),
        ("500", "JPY", "500"),
        ("1.234", "KWD", "1.234"),
        ("7", "TND", "7.000"),
    ],
)
def test_valid_amounts_become_canonical(
    text: str, currency: str, canonical: str
) -> None:
    assert parse_amount(text, currency) == canonical


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("0", "USD", "“0” is not a positive amount."),
        ("0.00", "USD", "“0.00” is not a positive amount."),
        ("-5", "USD", "“-5” is not a plain decimal amount."),
        ("1e3", "USD", "“1e3” is not a plain decimal amount."),
        ("12.345", "USD", "“12.345” has more decimals than USD allows (2)."),
        ("500.5", "JPY", "“500.5” has more decimals than JPY allows (0)."),
        ("abc", "USD", "“abc” is not a plain decimal amount."),
        ("", "USD", "“” is not a plain decimal amount."),
        ("12,50", "EUR", "“12,50” is not a plain decimal amount."),
        (" 12", "USD", "“ 12” is not a plain decimal amount."),
    ],
)
def test_invalid_amounts_are_refused(text: str, currency: str, reason: str) -> None:
    with pytest.raises(InvalidAmount) as raised:
        parse_amount(text, currency)

    assert str(raised.value) == reason
