"""Template helpers for equipment and order lists: sortable headers and money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, text: str, css_class: str = "") -> SafeString:
    """A column header that sorts by ``key``; a second click reverses the order."""
    request = context["request"]
    current = context.get("sort") or ""
    ascending = current == key
    descending = current == f"-{key}"
    query = request.GET.copy()
    query["sort"] = f"-{key}" if ascending else key
    query.pop("page", None)
    state = "ascending" if ascending else "descending" if descending else "none"
    arrow = "▲" if ascending else "▼" if descending else ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="eq-sort" href="?{}">{}'
        '<span class="eq-sort__arrow" aria-hidden="true">{}</span></a></th>',
        css_class,
        state,
        query.urlencode(),
        text,
        arrow,
    )


@register.filter
def money(amount: Decimal | int | float | None, currency: str = "GBP") -> str:
    """£1,234.50 (a code prefix for currencies without a symbol); credits with a minus sign."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "−" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    digits = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


# Stroke paths (24×24) for the kinds of timeline entry; unknown kinds get a dot.
TIMELINE_ICONS = {
    "order": "M3 7l9-4 9 4v10l-9 4-9-4z M3 7l9 4 9-4 M12 11v10",
    "reading": "M4 17a8 8 0 1 1 16 0 M12 17l4-6",
    "request": "M14.5 4.5a4 4 0 0 0 5 5l-9 9a2.1 2.1 0 0 1-3-3z",
    "registered": "M12 5v14 M5 12h14",
    "confirmed": "M5 12l5 5 9-10",
    "installed": "M4 20h16 M6 20V9h12v11 M9 9V5h6v4",
    "purchased": "M3 12V4h8l10 10-8 8z M8 8h.01",
    "warranty": "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
    "item-request": "M4 5h16v11H9l-5 4z",
    "rma": "M4 12a8 8 0 1 0 3-6.2 M4 4v5h5",
    "invoice": "M6 3h12v18l-3-2-3 2-3-2-3 2z M9 8h6 M9 12h6",
}
DEFAULT_ICON = "M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6"


@register.simple_tag
def timeline_icon(kind: str) -> SafeString:
    return format_html(
        '<svg class="eq-timeline__svg" viewBox="0 0 24 24" width="20" height="20" '
        'aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round"><path d="{}"/></svg>',
        TIMELINE_ICONS.get(kind, DEFAULT_ICON),
    )
