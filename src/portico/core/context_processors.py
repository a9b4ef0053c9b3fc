"""What every page needs: branding, navigation for the user's rights, the active account."""

from typing import Any

from django.http import HttpRequest

from .branding import label
from .links import url_context, url_in
from .models import Branding
from .rights import STAFF, Function, Right

# (label key, url name, function needed to see it); the url may not exist yet.
NAVIGATION: list[tuple[str, str, str | None]] = [
    ("nav_home", "home", None),
    ("nav_sites", "assets:sites", Function.ASSETS),
    ("nav_assets", "assets:list", Function.ASSETS),
    ("nav_tickets", "service:list", Function.TICKETS),
    ("nav_orders", "orders:list", Function.ORDERS),
    ("nav_meters", "meters:index", Function.METERS),
    ("nav_invoices", "billing:invoices", Function.INVOICES),
    ("nav_usage", "billing:usage", Function.USAGE),
    ("nav_rmas", "rma:list", Function.RMAS),
    ("nav_documents", "documents:list", Function.DOCUMENTS),
    ("nav_kb", "kb:list", Function.KB),
    ("nav_users", "customers:users", Function.USERS),
    # Provider staff: the agents' workspace and the back office.
    ("nav_queue", "workspace:queue", STAFF),
    ("nav_backoffice", "admin:index", STAFF),
]


def navigation(request: HttpRequest, labels: dict[str, str]) -> list[dict[str, Any]]:
    scope = getattr(request, "portal_scope", None)
    where = url_context(request)
    items: list[dict[str, Any]] = []
    for key, url_name, function in NAVIGATION:
        if function == STAFF:
            if not request.user.is_staff:
                continue
        elif function is not None and (scope is None or not scope.can(function, Right.VIEW)):
            continue
        url = url_in(where, url_name)
        if url is None:  # a feature this installation does not have yet
            continue
        items.append({"label": label(labels, key), "url": url, "current": False})
    # The current item is the longest URL the path lies under: the queue
    # (/backoffice/workspace/) is current on its pages, not the back office (/backoffice/).
    under = [item for item in items if _is_under(request.path, item["url"])]
    if under:
        max(under, key=lambda item: len(item["url"]))["current"] = True
    return items


def _is_under(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def portal(request: HttpRequest) -> dict[str, Any]:
    branding = Branding.current()
    context: dict[str, Any] = {"branding": branding}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav"] = navigation(request, branding.labels or {})
        context["scope"] = getattr(request, "portal_scope", None)
    return context
