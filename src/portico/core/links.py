"""URLs for every page render: the navigation's and one per row of a list.

``reverse()`` walks the URL patterns on each call; a page of 25 rows plus the navigation
called it about 45 times. The navigation's URLs never change, so they are looked up once;
a list's row URLs differ only in one argument, so the pattern is reversed once and the
argument put in its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_urlconf, reverse

_SLOT = "rowkey0slot"
_PROBE = "Row-Key_1.Probe"


@lru_cache(maxsize=256)
def url_in(urlconf: str | None, name: str) -> str | None:
    """``reverse(name)`` in ``urlconf``, kept; None when it has no such URL."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def fixed_url(name: str, request: HttpRequest | None = None) -> str | None:
    """``reverse(name)`` for a URL without arguments, or None when there is no such URL."""
    return url_in(urlconf_of(request), name)


def urlconf_of(request: HttpRequest | None = None) -> str:
    """The URL configuration ``reverse()`` uses now. While a request is served that is the
    request's own (``request.urlconf``, which Django's handler activates) or the project's:
    read from the request, it spares ``get_urlconf()``'s context-local lookup (2 µs, and a
    page asks for about twenty URLs)."""
    if request is not None:
        return getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return get_urlconf() or settings.ROOT_URLCONF


def row_urls(name: str, keys: Iterable[str]) -> list[str]:
    """``reverse(name, args=[key])`` for each key, with the pattern reversed once per URL
    configuration (``_pattern``) and each plain key put in its place."""
    keys = [str(key) for key in keys]
    if not keys:
        return []
    pattern = _pattern(urlconf_of(), name)
    if pattern is None:
        return [reverse(name, args=[key]) for key in keys]
    prefix, suffix = pattern
    return [f"{prefix}{key}{suffix}" if _plain(key) else reverse(name, args=[key]) for key in keys]


@lru_cache(maxsize=256)
def _pattern(urlconf: str | None, name: str) -> tuple[str, str] | None:
    """The URL of ``name`` around its one argument, or None when reversing with two
    different plain keys does not put each key, as it is, in the same place (a converter
    that rejects or rewrites them): such URLs are reversed key by key."""
    try:
        around = reverse(name, args=[_SLOT], urlconf=urlconf).split(_SLOT)
        probe = reverse(name, args=[_PROBE], urlconf=urlconf)
    except NoReverseMatch:
        return None
    if len(around) != 2 or probe != _PROBE.join(around):
        return None
    return around[0], around[1]


def _plain(key: str) -> bool:
    """Needs no quoting in a path: letters, digits and - _ . ~ only."""
    bare = key.replace("-", "").replace("_", "").replace(".", "").replace("~", "")
    return key.isascii() and bare.isalnum()
