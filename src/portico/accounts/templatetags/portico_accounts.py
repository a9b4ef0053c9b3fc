"""Template helpers for the login and security pages."""

from datetime import timedelta
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import pluralize

from portico.accounts import services

register = template.Library()


@register.simple_tag
def signup_open() -> bool:
    """Whether B2C self-registration (A6) is on, so pages offer it only then."""
    return bool(settings.PORTICO_ALLOW_SIGNUP)


@register.simple_tag
def two_factor_required(user: Any) -> bool:
    """Whether an organisation of the user requires two-factor login."""
    return bool(getattr(user, "is_authenticated", False)) and services.two_factor_required(user)


@register.filter
def duration(value: timedelta) -> str:
    """A lockout period in words: "15 minutes", "1 hour"."""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{pluralize(hours)}"
    return f"{minutes} minute{pluralize(minutes)}"


@register.filter
def groups_of_four(value: str) -> str:
    """An authenticator secret in blocks of four, easier to type: "ABCD EFGH ..."."""
    text = str(value)
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
