"""Statements built once per process and run again with new values.

Building the dashboard's two widest statements (the pairs' figures, the family's own) with the
ORM, resolving a few dozen filtered aggregates, took most of a dashboard request's Python time;
running them takes a few milliseconds. So they are built once with ``Slot``s where the family,
the viewer and the period go, kept (``functools.cache``), and each request evaluates a copy
inside ``bound(...)``, which gives every slot its value as the copy is compiled to SQL. The
values still travel as query parameters, never in the SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field
from django.db.models.sql.compiler import SQLCompiler

_bound: ContextVar[Mapping[str, Any] | None] = ContextVar("care_statement_values", default=None)


class UnboundSlot(RuntimeError):
    pass


class Slot(Expression):
    """A named parameter of a kept statement: compiled as a placeholder with the value
    ``bound`` gives it, prepared as its field prepares a value (a time zone aware datetime is
    adapted for the database, as a filter on that field would)."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        values = _bound.get()
        if values is None or self.name not in values:
            raise UnboundSlot(f"no value bound for {self.name!r}")
        return "%s", (self.output_field.get_db_prep_value(values[self.name], connection),)


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Evaluate kept statements inside: their slots take these values."""
    token = _bound.set(values)
    try:
        yield
    finally:
        _bound.reset(token)
