"""Money is a Decimal with a currency code: rounding and display in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
# ISO 4217 currencies without minor units (amounts sent to providers in whole units).
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF"}


def to_money(value: Decimal | int | str) -> Decimal:
    """Round half up to cents, the way an invoice total is rounded."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | None, currency: str) -> str:
    """'£1,234.50'; a negative amount shows a leading minus sign, never colour alone."""
    if value is None:
        return ""
    amount = to_money(value)
    symbol = SYMBOLS.get(currency)
    sign = "−" if amount < 0 else ""
    digits = f"{abs(amount):,.2f}"
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def minor_units(amount: Decimal, currency: str) -> int:
    """The integer amount payment providers expect (pence for GBP)."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return int((to_money(amount) * 100).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(value).quantize(CENT)
    return (Decimal(value) / 100).quantize(CENT)
