"""The checkout page's demo basket: a few items with prices and quantities.

Prices are written in units of the partner's currency and rounded to that
currency's decimals (a 4.50 sticker pack costs ¥4 in JPY): the basket is demo
data, the arithmetic on it is exact.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_EVEN, Decimal

from ia_portal.money import minor_units


@dataclasses.dataclass(frozen=True)
class Line:
    """One basket line: what, how many, and the price of one."""

    name: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


_DEMO = (
    ("Instant Access sticker pack", 2, "4.50"),
    ("IA Portal mug", 1, "12.90"),
    ("Integration workshop, 1 hour", 1, "120.00"),
)


def demo_basket(currency: str) -> list[Line]:
    """The demo basket priced in `currency`."""
    step = Decimal(1).scaleb(-minor_units(currency))
    return [
        Line(name, quantity, Decimal(price).quantize(step, rounding=ROUND_HALF_EVEN))
        for name, quantity, price in _DEMO
    ]


def basket_total(lines: list[Line]) -> Decimal:
    return sum((line.total for line in lines), Decimal(0))


def describe(lines: list[Line]) -> str:
    """A one-line description of the basket, for the payment record."""
    return ", ".join(f"{line.quantity} × {line.name}" for line in lines)
