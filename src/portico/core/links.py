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
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_SLOT = "rowkey0slot"
_PROBE = "Row-Key_1.Probe"


# What ``reverse()`` reads besides the patterns: the active URL configuration and the
# script prefix (the path the portal is served under). Both are keys of the memos below.
Where = tuple[str, str]


@lru_cache(maxsize=256)
def url_in(where: Where, name: str) -> str | None:
    """``reverse(name)`` in ``where`` (``url_context()``), kept; None when there is no such
    URL."""
    try:
        return reverse(name, urlconf=where[0])
    except NoReverseMatch:
        return None


def fixed_url(name: str, request: HttpRequest | None = None) -> str | None:
    """``reverse(name)`` for a URL without arguments, or None when there is no such URL."""
    return url_in(url_context(request), name)


def url_context(request: HttpRequest | None = None) -> Where:
    """The URL configuration and script prefix ``reverse()`` uses now. Django's handler
    activates both before the view runs; read once per request and kept on it, they spare a
    page about twenty context-local lookups (2 µs each)."""
    if request is not None:
        kept: Where | None = getattr(request, "portico_url_context", None)
        if kept is not None:
            return kept
    where = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if request is not None:
        request.portico_url_context = where  # type: ignore[attr-defined]
    return where


def row_urls(name: str, keys: Iterable[str]) -> list[str]:
    """``reverse(name, args=[key])`` for each key, with the pattern reversed once per URL
    configuration and prefix (``_pattern``) and each plain key put in its place."""
    keys = [str(key) for key in keys]
    if not keys:
        return []
    pattern = _pattern(url_context(), name)
    if pattern is None:
        return [reverse(name, args=[key]) for key in keys]
    prefix, suffix = pattern
    return [f"{prefix}{key}{suffix}" if _plain(key) else reverse(name, args=[key]) for key in keys]


@lru_cache(maxsize=256)
def _pattern(where: Where, name: str) -> tuple[str, str] | None:
    """The URL of ``name`` around its one argument, or None when reversing with two
    different plain keys does not put each key, as it is, in the same place (a converter
    that rejects or rewrites them): such URLs are reversed key by key.

    Two probes cannot prove every plain key goes in unchanged: a converter that takes both
    yet rejects or rewrites some other plain keys (a length limit, stripped zeros) would be
    spliced wrongly. Row URLs name their key with ``str`` or ``slug``; give a URL with such
    a converter its own reverse() rather than ``row_urls``."""
    try:
        around = reverse(name, args=[_SLOT], urlconf=where[0]).split(_SLOT)
        probe = reverse(name, args=[_PROBE], urlconf=where[0])
    except NoReverseMatch:
        return None
    if len(around) != 2 or probe != _PROBE.join(around):
        return None
    return around[0], around[1]


def _plain(key: str) -> bool:
    """Needs no quoting in a path: letters, digits and - _ . ~ only."""
    bare = key.replace("-", "").replace("_", "").replace(".", "").replace("~", "")
    return key.isascii() and bare.isalnum()
