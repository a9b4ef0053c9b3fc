"""The customer's request list (T2) as its URL describes it, counted and paged.

A list page asks two things of the database: how many requests match (up to a bound, see
``core.paginators``) and the ids of one page, in the list's order. Both change their SQL
with every filter, sort and page, so the ORM wrote them anew on every page view: with the
paginator that cost more than the database took to answer. ``RequestListing`` holds the
filters as plain values and asks through queries compiled once per shape
(``core.prepared``); a search or a date range goes through the ORM (a LIKE pattern and a
date cast are no plain parameters). The CSV and Excel exports read ``queryset()``: the same
filters, so an export is exactly the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from portico.core.access import Scope
from portico.core.prepared import PreparedCount, PreparedQuery

from .forms import SORTS, STATUS_OPEN
from .models import Priority, ServiceRequest, ServiceRequestQuerySet

PAGE_SIZE = 25
PRIORITY_RANK = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}
DEFAULT_SORT = "-created"


def matching_requests(
    organisations: list[int],
    sites: list[int] | None,
    involving: int | None,
    state: str | None,
    priority: str | None,
    site: int | None,
    category: int | None,
    *,
    open_only: bool,
    sort: str | None,
) -> ServiceRequestQuerySet:
    """The requests a scope reaching ``organisations`` (and ``sites``) sees, filtered, in
    the order ``sort`` names (unordered when None). A filter that is None is not applied;
    every other value is only compared with, so this compiles once per shape."""
    qs = ServiceRequest.objects.visible_in(organisations, sites)
    if involving is not None:
        qs = qs.involving(involving)
    if open_only:
        qs = qs.filter(state__in=ServiceRequest.OPEN_STATES)
    elif state is not None:
        qs = qs.filter(state=state)
    if priority is not None:
        qs = qs.filter(priority=priority)
    if site is not None:
        qs = qs.filter(site_id=site)
    if category is not None:
        qs = qs.filter(category_id=category)
    if sort is None:
        return qs.order_by()
    key = sort.lstrip("-")
    if key == "priority":
        qs = qs.annotate(
            priority_rank=Case(
                *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
                output_field=IntegerField(),
            )
        )
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(f"{prefix}{SORTS[key]}", f"{prefix}id")


@cache
def page_ids() -> PreparedQuery[int]:
    """The ids of rows ``start`` to ``stop`` of the list, in its order."""
    return PreparedQuery(
        ServiceRequest,
        lambda *keys, open_only, sort, start, stop: matching_requests(
            *keys, open_only=open_only, sort=sort
        ).values_list("pk", flat=True)[start:stop],
    )


@cache
def bounded_count() -> PreparedCount:
    """How many requests match, counting no further than ``limit``."""
    return PreparedCount(
        ServiceRequest,
        lambda *keys, open_only, limit: matching_requests(
            *keys, open_only=open_only, sort=None
        ).values_list("pk")[:limit],
    )


@dataclass(frozen=True)
class RequestListing:
    """The list's filters as plain values; paged by ``CappedCountPaginator`` (through
    ``count_upto`` and slices, which give the page's ids)."""

    organisations: list[int]
    sites: list[int] | None
    involving: int | None = None  # "My requests": the user's id
    state: str | None = None
    open_only: bool = False
    priority: str | None = None
    site: int | None = None
    category: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    text: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def of(
        cls, scope: Scope, data: dict[str, Any], *, involving: int | None, sort: str
    ) -> RequestListing:
        """From a valid filter form's ``cleaned_data`` (or {}) and the URL's sort."""
        organisations, sites = scope.reach
        status = data.get("status") or None
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        return cls(
            organisations=organisations,
            sites=sites,
            involving=involving,
            state=None if status == STATUS_OPEN else status,
            open_only=status == STATUS_OPEN,
            priority=data.get("priority") or None,
            site=data.get("site"),
            category=data.get("category"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            text=(data.get("q") or "").strip(),
            sort=sort,
        )

    @property
    def keys(self) -> tuple[Any, ...]:
        return (
            self.organisations,
            self.sites,
            self.involving,
            self.state,
            self.priority,
            self.site,
            self.category,
        )

    @property
    def is_prepared(self) -> bool:
        """Read by compiled queries: no search and no date range."""
        return not (self.text or self.created_from or self.created_to)

    def queryset(self) -> ServiceRequestQuerySet:
        """Every matching request in the list's order, through the ORM (the exports)."""
        qs = matching_requests(*self.keys, open_only=self.open_only, sort=self.sort)
        if self.created_from:
            qs = qs.filter(created_at__date__gte=self.created_from)
        if self.created_to:
            qs = qs.filter(created_at__date__lte=self.created_to)
        if self.text:
            qs = qs.search(self.text)
        return qs

    def count_upto(self, limit: int) -> int:
        if self.is_prepared:
            return bounded_count()(*self.keys, open_only=self.open_only, limit=limit)
        return self.queryset().order_by().values_list("pk")[:limit].count()

    def __getitem__(self, window: slice) -> list[int]:
        """The ids of a page: ``listing[25:50]``."""
        start, stop = window.start or 0, window.stop
        if not self.is_prepared:
            return list(self.queryset().values_list("pk", flat=True)[start:stop])
        # A short last page (the paginator asks up to the count) reads as a whole page
        # does, so it needs no query of its own.
        ids = page_ids()(
            *self.keys,
            open_only=self.open_only,
            sort=self.sort,
            start=start,
            stop=max(stop, start + PAGE_SIZE),
        )
        return ids[: stop - start]
