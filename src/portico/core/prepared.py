"""Queries pages make on every view, compiled by the ORM once instead of on every request.

Turning a QuerySet into SQL costs far more than running it for the small lookups a page
makes: the user's memberships for their scope take 0.8 ms to build and compile and 0.05 ms
to run on SQLite, the 25 rows of the agents' queue 0.6 ms against 0.1 ms. ``PreparedQuery``
keeps what Django's compiler produced (the SQL, the column layout, the ``select_related``
populators, the value converters) per database connection and per *shape* of its keys,
and runs it again with new keys.

Keys are whole numbers, texts, lists of whole numbers (``pk__in=…``) or None; what else
decides the SQL (a sort, a page's OFFSET and LIMIT, a choice between two filters) is
passed by name and handed to ``build`` as it is. The shape is what changes the SQL: which
keys are None, how long each list is, and the named values. A shape is compiled once with
stand-ins, each of which must come out as whole parameters of the SQL (once or more); the
real keys take their places. The SQL is Django's own, so the rows are the QuerySet's. A
QuerySet whose stand-ins do not come out that way (a key turned into something else, such
as a year into two dates or a text into a LIKE pattern, or an empty list) is simply run
through the ORM every time, as is a key of any other kind (a date, a bool).

``build`` must use each key only as a value to compare with, never decide anything by it:
it is called once with the stand-ins, and the SQL it gives serves every key of that shape.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import (  # type: ignore[attr-defined]
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")
Key = int | str | Sequence[int] | None
Shape = tuple[Hashable, ...]

# Stand-ins, far from any real id yet within a 32-bit integer column's range (the ORM
# turns an out-of-range number into "no rows" before writing SQL).
STAND_IN_BASE = -1_000_000_000
# A text stand-in starts with a private-use character no real parameter holds, and has
# what escaping (LIKE's % _ \\, quotes) or a change of case would alter: a parameter that
# holds the mark but is not a stand-in shows the ORM rewrote a key (a search's pattern).
TEXT_MARK = "\ue000"
TEXT_STAND_IN = TEXT_MARK + "Stand-In%_\\'{}"
# Shapes remembered per connection; past this many the memory starts again.
MAX_SHAPES = 256


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]  # where each key (lists flattened) goes in params
    compiler: SQLCompiler
    converters: dict[int, Any]
    kind: type
    names: tuple[str, ...] = ()  # ValuesIterable: the dictionary keys
    # ModelIterable
    model: type[models.Model] | None = None
    init_list: tuple[str, ...] = ()
    model_slice: slice | None = None
    populators: tuple[Any, ...] = ()


def shape_of(keys: Sequence[Key]) -> Shape | None:
    """("i", "s", 3, "n") for (an int, a text, a list of three ints, None); None when a key
    is of no shape."""
    shape: list[Hashable] = []
    for key in keys:
        if key is None:
            shape.append("n")
        elif type(key) is int:
            shape.append("i")
        elif type(key) is str:
            shape.append("s")
        elif isinstance(key, list | tuple) and all(type(k) is int for k in key):
            shape.append(len(key))
        else:
            return None
    return tuple(shape)


def stand_ins(shape: Shape) -> list[Key]:
    keys: list[Key] = []
    number = STAND_IN_BASE
    for part in shape:
        if part == "n":
            keys.append(None)
        elif part == "i":
            number -= 1
            keys.append(number)
        elif part == "s":
            number -= 1
            keys.append(TEXT_STAND_IN.format(number))
        else:
            assert isinstance(part, int)
            keys.append(list(range(number - 1, number - 1 - part, -1)))
            number -= part
    return keys


def flatten(keys: Sequence[Key]) -> list[int | str]:
    flat: list[int | str] = []
    for key in keys:
        if type(key) is int or type(key) is str:
            flat.append(key)
        elif key is not None:
            flat.extend(key)  # type: ignore[arg-type]
    return flat


def slots_of(values: list[int | str], params: Sequence[Any]) -> tuple[tuple[int, ...], ...] | None:
    """Where in ``params`` each stand-in is a whole parameter; None when one is nowhere, or
    when a text parameter carries a text stand-in in any other form (the ORM escaped it,
    or wrote it into a pattern: a real key would need the same treatment)."""
    texts = {value for value in values if type(value) is str}
    if any(type(p) is str and TEXT_MARK in p and p not in texts for p in params):
        return None
    slots = []
    for value in values:
        at = tuple(
            i for i, param in enumerate(params) if type(param) is type(value) and param == value
        )
        if not at:
            return None
        slots.append(at)
    return tuple(slots)


class Prepared:
    """What ``PreparedQuery`` and ``PreparedCount`` share: the compiled shapes of ``build``
    per connection, and running them with new keys."""

    def __init__(self, model: type[models.Model], build: Callable[..., Any]) -> None:
        self.model = model
        self.build = build
        # Per connection: connections belong to threads, and a compiler holds its own.
        self.compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[Shape, Compiled | None]
        ] = weakref.WeakKeyDictionary()

    def rows(self, keys: Sequence[Key], fixed: dict[str, Hashable]) -> list[Any]:
        key_shape = shape_of(keys)
        if key_shape is None:
            return self.through_orm(self.build(*keys, **fixed))
        shape = (*key_shape, *sorted(fixed.items())) if fixed else key_shape
        connection = connections[router.db_for_read(self.model)]
        shapes = self.compiled.get(connection)
        if shapes is None or len(shapes) > MAX_SHAPES:
            shapes = self.compiled[connection] = {}
        try:
            compiled = shapes[shape]
        except KeyError:
            compiled = shapes[shape] = self.compile(key_shape, fixed, connection)
        if compiled is None:
            return self.through_orm(self.build(*keys, **fixed))
        params = list(compiled.params)
        for slots, value in zip(compiled.slots, flatten(keys), strict=True):
            for slot in slots:
                params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(map(list, rows), compiled.converters)
        if compiled.kind is ModelIterable:
            return self.instances(compiled, rows, connection.alias)
        if compiled.kind is ValuesIterable:
            names = compiled.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        if compiled.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def through_orm(self, queryset: Any) -> list[Any]:
        return list(queryset)

    def finish(self, compiled: Compiled) -> Compiled | None:
        """The compiled query as it is run (``PreparedCount`` counts its rows)."""
        return compiled

    @staticmethod
    def instances(compiled: Compiled, rows: Any, alias: str) -> list[Any]:
        assert compiled.model is not None
        objects = []
        for row in rows:
            obj = compiled.model.from_db(alias, compiled.init_list, row[compiled.model_slice])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def compile(
        self, shape: Shape, fixed: dict[str, Hashable], connection: BaseDatabaseWrapper
    ) -> Compiled | None:
        keys = stand_ins(shape)
        try:
            compiled = self.compile_with_stand_ins(keys, fixed, connection)
        except (EmptyResultSet, FullResultSet, ValueError, TypeError, OverflowError):
            # The stand-ins made no SQL (an empty list, a number the ORM turns into a
            # date): the ORM runs it with the real keys each time.
            return None
        return None if compiled is None else self.finish(compiled)

    def compile_with_stand_ins(
        self, keys: list[Key], fixed: dict[str, Hashable], connection: BaseDatabaseWrapper
    ) -> Compiled | None:
        queryset = self.build(*keys, **fixed)
        query = queryset.query
        kind = queryset._iterable_class
        if (
            kind not in (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable)
            or queryset._known_related_objects  # related managers
            or queryset._prefetch_related_lookups
            or (kind is ModelIterable and (query.annotation_select or query.extra_select))
        ):
            return None
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select:  # ordering columns added to the SELECT
            return None
        slots = slots_of(flatten(keys), params)
        if slots is None:
            return None  # a key is not a plain parameter: let the ORM run it
        select = compiler.select
        columns = [column[0] for column in select[: compiler.col_count]]
        common = {
            "sql": sql,
            "params": tuple(params),
            "slots": slots,
            "compiler": compiler,
            "converters": compiler.get_converters(columns),
            "kind": kind,
        }
        if kind is ValuesIterable:
            names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            return Compiled(**common, names=tuple(names))
        if kind is not ModelIterable:
            return Compiled(**common)
        klass_info = compiler.klass_info
        assert klass_info is not None
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return Compiled(
            **common,
            model=klass_info["model"],
            init_list=tuple(column[0].target.attname for column in select[model_slice]),
            model_slice=model_slice,
            populators=tuple(get_related_populators(klass_info, select, connection.alias)),
        )


class PreparedQuery(Prepared, Generic[T]):
    """``build(*keys, **fixed)``, a QuerySet of ``model`` filtered by the keys, compiled once
    per connection and shape and run with each new set of keys. Calling it returns a list
    of what iterating the QuerySet gives: instances, dictionaries, tuples or flat values."""

    def __call__(self, *keys: Key, **fixed: Hashable) -> list[T]:
        return self.rows(keys, fixed)


class PreparedCount(Prepared):
    """How many rows ``build(*keys, **fixed)`` finds, as ``QuerySet.count()`` says, with
    the SQL compiled once per shape. Meant for a bounded count: build a sliced
    ``values_list("pk")``, and the database counts no further than its LIMIT."""

    def __call__(self, *keys: Key, **fixed: Hashable) -> int:
        return int(self.rows(keys, fixed)[0])

    def through_orm(self, queryset: Any) -> list[Any]:
        return [queryset.count()]

    def finish(self, compiled: Compiled) -> Compiled | None:
        if compiled.kind is ModelIterable:
            return None  # count a values_list("pk"): a model's columns would be read in vain
        return replace(
            compiled,
            # The ORM compiled the inner query; every value stays in the parameters.
            sql=f"SELECT COUNT(*) FROM ({compiled.sql}) counted",  # noqa: S608
            converters={},
            kind=FlatValuesListIterable,
        )
