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
from django.urls import NoReverseMatch, get_urlconf, reverse

_SLOT = "rowkey0slot"


@lru_cache(maxsize=256)
def _fixed_url(urlconf: str | None, name: str) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def fixed_url(name: str) -> str | None:
    """``reverse(name)`` for a URL without arguments, or None when there is no such URL."""
    return _fixed_url(get_urlconf() or settings.ROOT_URLCONF, name)


def row_urls(name: str, keys: Iterable[str]) -> list[str]:
    """``reverse(name, args=[key])`` for each key, reversing the pattern only once.

    The first key is also reversed properly and compared, so a pattern whose converter
    rewrites its value falls back to reversing each key.
    """
    keys = [str(key) for key in keys]
    if not keys:
        return []
    try:
        prefix, suffix = reverse(name, args=[_SLOT]).split(_SLOT)
    except (NoReverseMatch, ValueError):
        return [reverse(name, args=[key]) for key in keys]
    first = reverse(name, args=[keys[0]])
    if first != f"{prefix}{keys[0]}{suffix}":
        return [reverse(name, args=[key]) for key in keys]
    return [f"{prefix}{key}{suffix}" if _plain(key) else reverse(name, args=[key]) for key in keys]


def _plain(key: str) -> bool:
    """Needs no quoting in a path: letters, digits and - _ . ~ only."""
    bare = key.replace("-", "").replace("_", "").replace(".", "").replace("~", "")
    return key.isascii() and bare.isalnum()
