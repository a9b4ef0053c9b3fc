"""Template helpers loaded everywhere: branded labels and dates in the user's format."""

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from portico.core.branding import label as branded_label
from portico.core.models import Branding

register = template.Library()


@register.simple_tag(takes_context=True)
def label(context: dict[str, Any], key: str) -> str:
    branding = context.get("branding") or Branding.current()
    return branded_label(branding.labels or {}, key)


def _user_format(context: dict[str, Any]) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    return getattr(user, "date_format", None) or "d/m/Y"


@register.simple_tag(takes_context=True)
def userdate(context: dict[str, Any], value: date | datetime | None) -> str:
    """A date in the user's chosen format (and time zone, for a datetime)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(value, _user_format(context))


@register.simple_tag(takes_context=True)
def userdatetime(context: dict[str, Any], value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(local, _user_format(context) + " H:i")


@register.simple_tag(takes_context=True)
def reltime(context: dict[str, Any], value: datetime | None) -> SafeString | str:
    """'3 days ago', with the absolute date and time on hover and for screen readers."""
    if value is None:
        return ""
    absolute = userdatetime(context, value)
    return format_html(
        '<time datetime="{}" title="{}">{} ago</time>',
        value.isoformat(),
        absolute,
        timesince(value),
    )
