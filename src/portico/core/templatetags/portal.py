"""Template helpers loaded everywhere: branded labels and dates in the user's format."""

from datetime import date, datetime
from typing import Any

from django import template
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString

from portico.core import links
from portico.core.branding import label as branded_label
from portico.core.dates import format_date, time_html, user_date_format
from portico.core.live import live_filter_attributes
from portico.core.models import Branding

register = template.Library()


@register.simple_tag(takes_context=True)
def label(context: dict[str, Any], key: str) -> str:
    branding = context.get("branding") or Branding.current()
    return branded_label(branding.labels or {}, key)


def _user_format(context: dict[str, Any]) -> str:
    request = context.get("request")
    return user_date_format(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def userdate(context: dict[str, Any], value: date | datetime | None) -> str:
    """A date in the user's chosen format (and time zone, for a datetime)."""
    if value is None:
        return ""
    return format_date(value, _user_format(context))


@register.simple_tag(takes_context=True)
def userdatetime(context: dict[str, Any], value: datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, _user_format(context) + " H:i")


@register.simple_tag(takes_context=True)
def reltime(context: dict[str, Any], value: datetime | None) -> SafeString | str:
    """'3 days ago' (or 'in 2 hours'), with the date and time on hover and for screen readers."""
    if value is None:
        return ""
    return time_html(value, _user_format(context))


@register.simple_tag(takes_context=True)
def live_filters(context: dict[str, Any], target: str) -> SafeString:
    """On a filter bar's ``<form>``: filter as the fields change, replacing ``#target``."""
    return live_filter_attributes(context["request"].path, target)


@register.simple_tag(name="fixed_url")
def fixed_url_tag(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process (the base
    layout's links: every page renders them)."""
    url = links.fixed_url(name)
    if url is None:
        raise NoReverseMatch(f"No URL named {name!r}.")
    return url
