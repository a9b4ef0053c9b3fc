"""Queries every signed-in page makes, compiled by the ORM once instead of on every request.

Turning a QuerySet into SQL costs far more than running it for the small lookups a page
starts with: the user's memberships for their scope take 0.8 ms to build and compile and
0.05 ms to run on SQLite. ``KeyedQuery`` keeps what Django's compiler produced (the SQL, the
column layout, the ``select_related`` populators, the value converters) for each database
connection, and runs it again with a new key. The SQL is Django's own, so the result is the
same as the QuerySet's; a QuerySet whose parameters do not contain the key exactly once is
simply run through the ORM every time.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple[Any, ...]
    key_at: int
    compiler: SQLCompiler
    model: type[models.Model]
    init_list: list[str]
    model_slice: slice
    populators: list[Any]
    converters: dict[int, Any]


class KeyedQuery(Generic[M]):
    """``build(key)``, a QuerySet of model instances with one integer key in its filter,
    compiled once per connection and run with each new key."""

    def __init__(self, model: type[M], build: Callable[[int], models.QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        # Per connection: connections belong to threads, and a compiler holds its own.
        self.compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, Compiled | None] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, key: int) -> list[M]:
        connection = connections[router.db_for_read(self.model)]
        try:
            compiled = self.compiled[connection]
        except KeyError:
            compiled = self.compiled[connection] = self.compile(key, connection)
        if compiled is None or type(key) is not int:
            return list(self.build(key))
        params = list(compiled.params)
        params[compiled.key_at] = key
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        compiler = compiled.compiler
        if compiled.converters:
            rows = compiler.apply_converters(map(list, rows), compiled.converters)
        objects = []
        for row in rows:
            obj = compiled.model.from_db(
                connection.alias, compiled.init_list, row[compiled.model_slice]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects  # type: ignore[return-value]

    def compile(self, key: int, connection: BaseDatabaseWrapper) -> Compiled | None:
        queryset = self.build(key)
        query = queryset.query
        if (
            type(key) is not int
            or queryset._iterable_class is not models.query.ModelIterable
            or queryset._known_related_objects  # type: ignore[attr-defined] # related managers
            or query.annotation_select
            or query.extra_select
        ):
            return None
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):
            return None
        positions = [at for at, value in enumerate(params) if value == key]
        if len(positions) != 1 or type(params[positions[0]]) is not int:
            return None  # the key is not one plain parameter: let the ORM run it each time
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return Compiled(
            sql=sql,
            params=tuple(params),
            key_at=positions[0],
            compiler=compiler,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[model_slice]],
            model_slice=model_slice,
            populators=get_related_populators(klass_info, select, connection.alias),
            converters=compiler.get_converters([column[0] for column in select]),
        )
