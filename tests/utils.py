"""Helpers shared by the security tests: walk the URL configuration, fingerprint the database.

The walker is the single definition of "a portal route": every route the project serves,
minus a short list of exemptions, each with the reason it is protected some other way.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from portico.core.rights import SIGNED_IN, Function, Right

# What provider-staff pages declare (``portico.service.workspace.staff_view``): anonymous →
# login, every non-staff user → 404, like the back office.
STAFF = "staff"


@dataclass(frozen=True)
class Route:
    """One URL pattern reached from the root URLconf."""

    route: str  # the joined pattern text, e.g. "account/users/<int:membership_id>/"
    name: str | None  # namespaced, e.g. "customers:change_account"
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]  # URL keyword arguments the pattern captures
    includes: tuple[str, ...]  # dotted urlconf modules it was included through
    namespaces: tuple[str, ...]

    @property
    def view_path(self) -> str:
        view = getattr(self.callback, "view_class", self.callback)
        return f"{view.__module__}.{view.__qualname__}"

    @property
    def portal_access(self) -> tuple[str, Right] | None:
        """What ``@portal_view`` (or a mixin setting the same attribute) declared."""
        declared = getattr(self.callback, "portal_access", None)
        if declared is None:
            declared = getattr(getattr(self.callback, "view_class", None), "portal_access", None)
        return declared

    def __str__(self) -> str:
        return f"/{self.route} ({self.name or 'unnamed'} → {self.view_path})"


def _captured(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex)
    return ()


def _pattern_text(pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$")
    return text


def walk(
    patterns: Iterable[URLPattern | URLResolver] | None = None,
    *,
    _prefix: str = "",
    _kwargs: tuple[str, ...] = (),
    _includes: tuple[str, ...] = (),
    _namespaces: tuple[str, ...] = (),
) -> Iterator[Route]:
    """Every URLPattern reachable from ``patterns`` (default: the root URLconf)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        text = _prefix + _pattern_text(entry.pattern)
        captured = _kwargs + _captured(entry.pattern)
        if isinstance(entry, URLResolver):
            module = entry.urlconf_name
            include = module if isinstance(module, str) else getattr(module, "__name__", "")
            yield from walk(
                entry.url_patterns,
                _prefix=text,
                _kwargs=captured,
                _includes=(*_includes, include),
                _namespaces=(*_namespaces, entry.namespace) if entry.namespace else _namespaces,
            )
        else:
            name = ":".join((*_namespaces, entry.name)) if entry.name else None
            yield Route(text, name, entry.callback, captured, _includes, _namespaces)


@dataclass(frozen=True)
class Exemption:
    """A group of routes that are not portal views, and why that is safe."""

    reason: str
    include: str | None = None  # reached through include("<this module>")
    view_package: str | None = None  # ... and the view lives in this package
    namespace: str | None = None  # or: routes in this URL namespace
    view: str | None = None  # or: exactly this view (dotted path)
    # Anonymous by design but guarded by a token or signature: a request without one must be
    # refused and change nothing (checked in test_access_sweep).
    token_protected: bool = False

    def covers(self, route: Route) -> bool:
        if self.include is not None:
            return (
                self.include in route.includes
                and self.view_package is not None
                and route.view_path.startswith(self.view_package + ".")
            )
        if self.namespace is not None:
            return route.namespaces[:1] == (self.namespace,)
        return route.view_path == self.view


# Short on purpose: each entry is a route that is NOT a customer-data page and is guarded
# by something else. A new app's view is never covered by these, so it must declare access.
EXEMPTIONS = [
    Exemption(
        reason="django-allauth's own login, logout, reset, e-mail and 2FA pages: they are "
        "the way in (anonymous by design) or protect themselves with login_required",
        include="allauth.urls",
        view_package="allauth",
    ),
    Exemption(
        reason="the Django admin at /backoffice/: staff only, non-staff get 404 "
        "(BackofficeSite.admin_view; tested in test_access_sweep)",
        namespace="admin",
    ),
    Exemption(
        reason="the colours of the brand as CSS: public, holds no customer data",
        view="portico.core.views.branding_css",
    ),
    Exemption(
        reason="the provider's logo: public, shown on the login page, holds no customer data",
        view="portico.core.views.branding_logo",
    ),
    Exemption(
        reason="load balancer health check: public, answers only 'ok'",
        view="portico.core.views.healthz",
    ),
    Exemption(
        reason="the welcome link: anonymous by design, protected by its one-time token",
        view="portico.accounts.views.welcome",
        token_protected=True,
    ),
    Exemption(
        reason="remote meter readings: machine to machine, a monitoring system's bearer token",
        view="portico.meters.api.ingest_readings",
        token_protected=True,
    ),
    Exemption(
        reason="Stripe's webhook: machine to machine, trusted only through its HMAC signature",
        view="portico.billing.webhooks.stripe_webhook",
        token_protected=True,
    ),
]


def exemption_for(route: Route) -> Exemption | None:
    return next((e for e in EXEMPTIONS if e.covers(route)), None)


def undeclared_routes(routes: Iterable[Route]) -> list[Route]:
    """Routes that are neither exempt nor declare their function and right."""
    return [r for r in routes if r.portal_access is None and exemption_for(r) is None]


def invalid_declarations(routes: Iterable[Route]) -> list[str]:
    """Declarations that name no known function or right (a typo would refuse everyone)."""
    known = {f.value for f in Function} | {SIGNED_IN, STAFF}
    problems = []
    for route in routes:
        declared = route.portal_access
        if declared is None:
            continue
        function, right = declared
        if function not in known or right not in Right.values:
            problems.append(f"{route}: declares {declared!r}")
    return problems


def portal_routes() -> list[Route]:
    """Every route that declares portal access: the routes the access sweep requests."""
    return [r for r in walk() if r.portal_access is not None]


# --- What a response says ------------------------------------------------------------


def readable_text(response: Any) -> str:
    """The text a person would read in a response: a page, a CSV, or a spreadsheet's cells."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", errors="replace")


# --- Database fingerprint ----------------------------------------------------------

# Tables a request may touch without changing any customer data.
IGNORED_TABLES = {"django_session"}


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table, so any write shows up."""
    fingerprint = {}
    # A model without a table (its migration not written yet) holds nothing that could change.
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or meta.db_table in IGNORED_TABLES or meta.db_table not in tables:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        fingerprint[meta.label] = (len(rows), digest)
    return fingerprint


def changed_tables(
    before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
) -> list[str]:
    """Tables whose rows differ, e.g. ``customers.Membership: 5 → 5 rows, contents changed``."""
    changes = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label, (0, "")), after.get(label, (0, ""))
        if old != new:
            detail = ", contents changed" if old[0] == new[0] else ""
            changes.append(f"{label}: {old[0]} → {new[0]} rows{detail}")
    return changes
