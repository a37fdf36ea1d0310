"""Statements compiled once per database and run again with new values.

Building and compiling a statement with the ORM costs more Python than PostgreSQL spends running
the small reads a phone repeats (a rupture's page, its conversation, a family's members). A
``KeptStatement`` builds its queryset once, with a ``Param`` wherever a request's value goes,
compiles it once per database alias (the router's choice for reads), and then only binds the
values, runs the SQL on a cursor and applies the compiler's converters (SQLite's datetimes come
back as text, JSON as text, and so on), giving each row as a dict by the names asked for.

The SQL text never changes between runs, so psycopg prepares it after a few; values travel as
query parameters, never in the SQL. Whatever a build reads besides its Params (the clock, the
language, a setting) is frozen at the first run: anything that varies must be a Param.
(``care.statements`` keeps built querysets and compiles each time; this goes one step further
for reads whose shape is fixed.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class UnboundParam(RuntimeError):
    pass


class Param(Expression):
    """A named value of a kept statement: compiled as a placeholder, given its value at each
    run and prepared for the database as its field prepares one (an aware datetime, an id)."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "%s", (self,)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # constants, and the Params to fill in
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class KeptStatement:
    """A read built by ``build`` (a ``values()``/``values_list()`` queryset naming its columns),
    compiled on first use for each database alias."""

    def __init__(self, model: type[Model], build: Callable[[], QuerySet[Any, Any]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        queryset = self.build()
        query = queryset.query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        if len(names) != compiler.col_count:
            raise ValueError("a kept statement names its columns with values() or values_list()")
        columns = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        return _Compiled(sql, tuple(params), names, converters)

    def rows(self, **values: Any) -> list[dict[str, Any]]:
        """Every row, each a dict by column name, with ``values`` for the Params."""
        return self._run(values, "", ())

    def rows_between(self, offset: int, limit: int, **values: Any) -> list[dict[str, Any]]:
        """``limit`` rows from ``offset`` on (an ordered statement's page), as ``rows``. The
        bounds travel as parameters too (PostgreSQL and SQLite both read ``LIMIT … OFFSET``)."""
        return self._run(values, " LIMIT %s OFFSET %s", (limit, offset))

    def _run(
        self, values: dict[str, Any], tail: str, tail_params: tuple[int, ...]
    ) -> list[dict[str, Any]]:
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        connection = connections[alias]
        params = [_value(param, values, connection) for param in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql + tail, [*params, *tail_params])
            fetched = cursor.fetchall()
        return [
            dict(zip(compiled.names, row, strict=True))
            for row in _converted(fetched, compiled, connection)
        ]


def _value(param: Any, values: dict[str, Any], connection: BaseDatabaseWrapper) -> Any:
    if not isinstance(param, Param):
        return param
    if param.name not in values:
        raise UnboundParam(f"no value for {param.name!r}")
    return param.output_field.get_db_prep_value(values[param.name], connection)


def _converted(
    rows: list[Any], compiled: _Compiled, connection: BaseDatabaseWrapper
) -> Iterator[Any]:
    if not compiled.converters:
        yield from rows
        return
    for fetched in rows:
        row = list(fetched)
        for position, functions, expression in compiled.converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        yield row


def loaded[M: Model](model: type[M], alias: str, columns: dict[str, Any]) -> M:
    """An instance as a queryset with ``only(...)`` loads it, from a kept row's columns (by
    attname): ``Model.from_db`` takes a partial row in the model's field order."""
    fields = model._meta.concrete_fields
    return model.from_db(
        alias,
        [f.attname for f in fields if f.attname in columns],
        [columns[f.attname] for f in fields if f.attname in columns],
    )


LARGEST_OFFSET = 2**62  # OFFSET and LIMIT are 64-bit integers in PostgreSQL and SQLite


class KeptPage:
    """A kept statement's rows as Django's ``Paginator`` reads them (``count()``, then one
    slice), for a statement with a ``total`` column (``Window(Count("*"))``): the page the
    request asks for and the total come in one statement, as ``api.pagination`` does for a
    queryset. A slice other than the one expected (``?page=last``) runs the statement again."""

    def __init__(self, statement: KeptStatement, *, offset: int, limit: int, **values: Any):
        self.statement = statement
        self.values = values
        self.offset = offset
        self.limit = limit
        self._fetched: list[dict[str, Any]] | None = None

    def _expected(self) -> list[dict[str, Any]]:
        if self._fetched is None:
            self._fetched = self.statement.rows_between(self.offset, self.limit, **self.values)
        return self._fetched

    def count(self) -> int:
        """The total, from the expected page's rows. Past the last row (or past what SQL can
        take) there is no row to carry it: 0 answers the same 404 for any page after the first
        ("That page contains no results") without counting, as ``api.pagination`` does."""
        if self.offset > LARGEST_OFFSET:
            return 0
        rows = self._expected()
        return int(rows[0]["total"]) if rows else 0

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        if start == self.offset and stop is not None and stop - start <= self.limit:
            return self._expected()[: stop - start]
        if stop is None:
            raise ValueError("a kept page is read by a bounded slice")
        return self.statement.rows_between(start, stop - start, **self.values)
