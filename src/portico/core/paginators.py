"""Pagination for customer lists: a count that never scans every row on each page view.

Lists say "more than 1,000 orders" instead of counting a customer's whole table. The count
looks at most ``count_limit`` rows past the start of the page asked for, so every page stays
reachable, and counting up to it costs no more than the OFFSET that fetches the page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 1000
# Past this many rows a list stops paging: filters and search find the rest.
MAX_COUNTED_ROWS = 100 * COUNT_LIMIT


class CappedCountPaginator(Paginator):
    """A ``Paginator`` whose count is bounded; ``is_capped`` says the list holds more."""

    count_limit = COUNT_LIMIT

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self._window = max(self.count_limit, int(per_page) + 1)

    def get_page(self, number: Any) -> Any:
        self._reach(number)
        return super().get_page(number)

    def page(self, number: Any) -> Any:
        self._reach(number)
        return super().page(number)

    def _reach(self, number: Any) -> None:
        """Widen the counted rows to the requested page, before the count is first read."""
        if "_counted" in self.__dict__:
            return
        try:
            page = max(1, int(number))
        except (TypeError, ValueError):
            page = 1
        per_page = int(self.per_page)
        # Past the requested page by at least one row, so a capped list always has a next page.
        self._window = min(
            (page - 1) * per_page + max(self.count_limit, per_page + 1), MAX_COUNTED_ROWS
        )

    @cached_property
    def _counted(self) -> int:
        """Rows up to one past the window: COUNT over a LIMITed subquery, not the table.

        The subquery is compiled by the ORM and the COUNT around it written here: Django's
        own ``count()`` of a sliced query builds an aggregate wrapper that cost ten times
        the query itself (0.6 ms against 0.07 ms on a 25-row list page)."""
        limit = self._window + 1
        count_upto = getattr(self.object_list, "count_upto", None)
        if count_upto is not None:  # a list that counts itself (service.listing)
            return int(count_upto(limit))
        if not isinstance(self.object_list, QuerySet):
            return min(len(self.object_list), limit)
        query = self.object_list.query
        if query.values_select or query.group_by or query.combinator:
            # Counting pks would not count these rows (values, groups, unions): let Django.
            return self.object_list.order_by()[:limit].count()
        rows = self.object_list.order_by().values_list("pk")[:limit]
        try:
            sql, params = rows.query.get_compiler(using=rows.db).as_sql()
        except EmptyResultSet:
            return 0
        with connections[rows.db].cursor() as cursor:
            # The ORM compiled the subquery; every value stays in params.
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    @cached_property
    def count(self) -> int:
        return min(self._counted, self._window)

    @property
    def is_capped(self) -> bool:
        """The list has more rows than ``count``: show "more than <count>"."""
        return self._counted > self._window
