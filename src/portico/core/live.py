"""Lists that filter without a page reload (UI.md: "filtering without full reloads").

A list's filter bar carries ``{% live_filters "results-id" %}``. Changing a field, or typing
in the search box, asks for the same URL with htmx; the view (``render_list``) answers with
the results part only, which htmx swaps into ``#results-id`` and records in the address bar,
so the URL stays bookmarkable. Without JavaScript the form submits and the whole page comes
back. Going back in history to a page htmx no longer has asks for the whole page again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Every change of a field (it bubbles to the form), Enter, and a pause in typing a search.
TRIGGER = "submit, change, input changed delay:400ms from:find input[type=search]"


def wants_results_only(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_list(
    request: HttpRequest, template: str, results_template: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its results for the filter bar's own requests."""
    results_only = wants_results_only(request)
    return render_varying(
        request,
        results_template if results_only else template,
        {**context, "results_only": results_only},
    )


def render_varying(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A response that is a page or a fragment of it depending on ``HX-Request``: a cache
    (or the browser's back button) must not answer a page with a fragment."""
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def live_filter_attributes(url: str, target: str) -> SafeString:
    return format_html(
        ' hx-get="{}" hx-target="#{}" hx-push-url="true" hx-sync="this:replace" hx-trigger="{}"',
        url,
        target,
        TRIGGER,
    )
