"""Amounts as integers of minor units (cents), and how they read."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import conf

ZERO_DECIMAL = {"JPY", "KRW", "HUF", "CLP", "ISK", "TWD", "UGX", "VND", "XAF", "XOF"}


def minor_per_unit(currency: str) -> int:
    return 1 if currency.upper() in ZERO_DECIMAL else 100


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """'12.50' EUR -> 1250; raises ValueError for anything that is not an amount."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as error:
        raise ValueError(f"{amount!r} is not an amount") from error
    # Far beyond any donation: refused before arithmetic that could overflow.
    if not value.is_finite() or abs(value) >= 10**12:
        raise ValueError(f"{amount!r} is not an amount")
    minor = (value * minor_per_unit(currency)).quantize(Decimal(1), ROUND_HALF_UP)
    return int(minor)


def to_major(amount_minor: int, currency: str) -> Decimal:
    per_unit = minor_per_unit(currency)
    if per_unit == 1:
        return Decimal(amount_minor)
    return (Decimal(amount_minor) / per_unit).quantize(Decimal("0.01"))


def format_amount(amount_minor: int, currency: str) -> str:
    """1250, 'EUR' -> '€12.50'; whole amounts lose their '.00'."""
    major = to_major(amount_minor, currency)
    text = (
        f"{major:,.2f}".removesuffix(".00")
        if minor_per_unit(currency) > 1
        else (f"{major:,}")
    )
    symbol = conf.get("MASTHEAD_DONATION_CURRENCIES").get(currency, {}).get("symbol")
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
