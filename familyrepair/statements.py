"""Statements the ORM builds once and each database connection compiles once.

On the lists a phone reloads most, building a queryset (its filters, subqueries and joins) and
compiling it to SQL took more Python than the database took to run it. A ``KeptStatement`` is
a queryset with a ``Slot`` wherever a request's value goes, built once per process; each
database connection compiles it once to its SQL text and a template of its parameters; a run
puts the values in the template, executes it with a cursor and converts the rows as the ORM
would (the compiler's converters: JSON, and SQLite's datetimes and booleans). Values always
travel as query parameters, and the SQL text never changes between runs, so PostgreSQL prepares
it (psycopg's prepare threshold) and stops planning it as well.

Rows come as tuples (``run``, a ``values_list``) or as dicts by column name (``rows``, a
``values()``). A ``CountedList`` is a list read a page at a time, each page with the count of the
whole list from the same statement: what ``api.pagination.CountedPaginator`` pages.

Anything a statement's build reads besides its slots (the clock, the language, a setting) is
fixed at its first run: the build names only what never changes.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, Expression, Field, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

_PAGE_BOUND = BigIntegerField()  # LIMIT and OFFSET: 64-bit integers in PostgreSQL and SQLite


@dataclass(frozen=True)
class _Placeholder:
    """Where a slot's value goes in a compiled statement's parameters."""

    name: str
    field: Field[Any, Any]


class Slot(Expression):
    """A named value of a kept statement, given on each run and prepared for the database as
    its field prepares a value (a user id as a 64-bit integer, as a filter on the key would)."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "%s", (_Placeholder(self.name, self.output_field),)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, _Placeholder], ...]  # (position in params, placeholder)
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    names: tuple[str, ...]  # the columns' names, for a values() statement


class KeptStatement:
    """A queryset built once by ``build`` (with ``Slot``s for its values), compiled once per
    database connection, and run with new values: ``run(limit=..., offset=..., **values)``
    answers the rows as tuples, in the order of the queryset's ``values_list``; ``rows(...)``
    as dicts by the names of its ``values()``. ``paged`` statements take a LIMIT and an OFFSET
    on each run (the queryset must be ordered)."""

    def __init__(self, build: Callable[[], QuerySet[Any, Any]], *, paged: bool = False) -> None:
        self._build = build
        self._paged = paged
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    @functools.cached_property
    def _queryset(self) -> QuerySet[Any, Any]:
        queryset = self._build()
        if queryset.query.is_sliced:
            raise ValueError("a kept statement is sliced on each run, not when built")
        if self._paged and not queryset.ordered:
            raise ValueError("a paged statement needs an order")
        return queryset

    def run(
        self, *, limit: int | None = None, offset: int = 0, **values: Any
    ) -> list[tuple[Any, ...]]:
        """The rows for these values, from the database the router reads the model from."""
        connection = connections[router.db_for_read(self._queryset.model)]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for position, slot in compiled.slots:
            if slot.name not in values:
                raise TypeError(f"no value for the slot {slot.name!r}: a slot is never a null")
            params[position] = slot.field.get_db_prep_value(values[slot.name], connection)
        if self._paged:
            if limit is None:
                raise TypeError("a paged statement runs with a limit")
            params += (
                _PAGE_BOUND.get_db_prep_value(limit, connection),
                _PAGE_BOUND.get_db_prep_value(offset, connection),
            )
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[Any] = cursor.fetchall()
        if compiled.converters:
            rows = [_converted(row, compiled.converters, connection) for row in rows]
        return rows

    def rows(
        self, *, limit: int | None = None, offset: int = 0, **values: Any
    ) -> list[dict[str, Any]]:
        """``run``'s rows as dicts by column name (a statement built with ``values()``)."""
        fetched = self.run(limit=limit, offset=offset, **values)
        names = self._compiled[connections[router.db_for_read(self._queryset.model)]].names
        if len(names) != len(fetched[0] if fetched else names):
            raise ValueError("a kept statement read as dicts names its columns with values()")
        return [dict(zip(names, row, strict=True)) for row in fetched]

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # A copy: compiling sets up the query's joins and aliases, and each connection compiles.
        compiler = self._queryset.query.clone().get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if self._paged:
            sql += " LIMIT %s OFFSET %s"  # SQL both PostgreSQL and SQLite read
        selected = [expression for expression, _sql, _alias in compiler.select]
        converters = compiler.get_converters(selected[: compiler.col_count])
        query = compiler.query
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple((i, p) for i, p in enumerate(params) if isinstance(p, _Placeholder)),
            converters=tuple(
                (position, tuple(functions), expression)
                for position, (functions, expression) in converters.items()
            ),
            names=(*query.extra_select, *query.values_select, *query.annotation_select),
        )


def _converted(
    row: tuple[Any, ...],
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...],
    connection: BaseDatabaseWrapper,
) -> tuple[Any, ...]:
    """``SQLCompiler.apply_converters`` for one row."""
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return tuple(values)


def loaded[M: Model](model: type[M], alias: str, columns: dict[str, Any]) -> M:
    """An instance as a queryset with ``only(...)`` loads it, from a kept row's columns (by
    attname): ``Model.from_db`` takes a partial row in the model's field order."""
    fields = model._meta.concrete_fields
    return model.from_db(
        alias,
        [f.attname for f in fields if f.attname in columns],
        [columns[f.attname] for f in fields if f.attname in columns],
    )


class CountedList(abc.ABC):
    """A list read a page at a time, each page with the count of the whole list from the same
    statement; ``count`` and slices as Django's ``Paginator`` reads them."""

    @abc.abstractmethod
    def counted_page(self, offset: int, limit: int) -> tuple[list[Any], int]:
        """The rows from ``offset`` and the count of the whole list (0 past its end)."""

    def count(self) -> int:
        return self.counted_page(0, 1)[1]

    def __getitem__(self, page: slice) -> list[Any]:
        start, stop = page.start or 0, page.stop
        if stop is None or page.step is not None:
            raise TypeError("a counted list is read by a slice with an end")
        return self.counted_page(start, stop - start)[0]


class KeptList(CountedList):
    """A paged ``values()`` kept statement with its values, whose last column ``total`` is the
    count of the whole list (``Window(Count("*"))``): rows as dicts, without ``total``."""

    def __init__(self, statement: KeptStatement, **values: Any) -> None:
        self.statement = statement
        self.values = values

    def counted_page(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        rows = self.statement.rows(limit=limit, offset=offset, **self.values)
        total = int(rows[0]["total"]) if rows else 0
        for row in rows:
            del row["total"]
        return rows, total
