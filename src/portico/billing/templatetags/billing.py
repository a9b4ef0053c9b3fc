"""Money in templates: ``{{ amount|money:currency }}`` gives '£1,234.50'."""

from decimal import Decimal

from django import template

from ..money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "GBP") -> str:
    return format_money(value, currency or "GBP")


@register.filter
def absolute(value: Decimal | None) -> Decimal | None:
    return abs(value) if value is not None else None
