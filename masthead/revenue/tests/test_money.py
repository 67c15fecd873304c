"""Amounts as minor units, read both ways."""

from decimal import Decimal

import pytest

from masthead.revenue.money import format_amount, to_major, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.50", "EUR", 1250),
        ("10", "USD", 1000),
        (" 7.005 ", "EUR", 701),
        ("500", "JPY", 500),
        (25, "USD", 2500),
    ],
)
def test_amounts_become_minor_units(amount, currency, minor):
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize(
    "junk", ["", "ten", "1,000", "Infinity", "NaN", "1e400", "--1"]
)
def test_anything_else_is_refused(junk):
    with pytest.raises(ValueError):
        to_minor(junk, "EUR")


def test_amounts_read_as_readers_expect():
    assert format_amount(1250, "EUR") == "€12.50"
    assert format_amount(1000, "USD") == "$10"
    assert format_amount(123456, "USD") == "$1,234.56"
    assert format_amount(500, "JPY") == "500 JPY"
    assert to_major(1250, "EUR") == Decimal("12.50")
