"""Querysets compiled to SQL once per process, then run with new values: for the few reads every page makes.

Building and compiling a queryset costs far more CPU than running it: the access check's read of an organisation
with its response, membership and latest deadline extension (two filtered relations and a subquery) takes about
1.2 ms to build and compile and 0.07 ms to run on PostgreSQL. Every answering page and every autosave makes it.

`PreparedQuery(build, name=type, ...)` calls `build` once per database alias with a marker value for each named
parameter, compiles it with Django's own compiler, and notes where each marker landed among the SQL parameters.
`run(name=value, ...)` puts the values in those places and hands the same SQL to the same compiler, so the rows
come back as model instances exactly as the queryset would give them (`select_related`, annotations and filtered
relations included: Django's ModelIterable builds them). Nothing is shared between threads but the compiled SQL
and the compiler it was made with, which is copied per run and never changed.

What can be prepared: a read whose shape does not depend on the values, and whose values reach the SQL unchanged
as parameters (`field=value` filters, on int or str). Preparing compiles twice with different markers and refuses
a value that does not come out as a parameter of its own (a `__contains` filter wraps it in %...%, `__iexact`
escapes it, `build` changes it), and `run` refuses a value of another type (None would compare as `= NULL`, which
the ORM writes as IS NULL). A `select_for_update` read is compiled in the
transaction of its first run (Django checks there is one while compiling) and must run inside one every time.
tests/test_prepared.py checks each prepared read against the queryset it stands for.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import EmptyResultSet, FullResultSet, ImproperlyConfigured
from django.db import DatabaseError, connections
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.query import ModelIterable
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    compiler: SQLCompiler  # after as_sql(): its select, klass_info and annotation map describe the rows
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]  # parameter name -> its places among `params`

    def bind(self, values: dict[str, Any]) -> tuple[Any, ...]:
        params = list(self.params)
        for name, places in self.positions.items():
            for place in places:
                params[place] = values[name]
        return tuple(params)


class _Source:
    """What ModelIterable reads of a queryset: the database alias, the compiler, the known related objects."""

    def __init__(self, db: str, compiler: SQLCompiler, model: type[Model]) -> None:
        self.db = db
        self.model = model
        self._known_related_objects: dict[Any, Any] = {}
        self.query = self
        self._compiler = compiler

    def get_compiler(self, using: str | None = None) -> SQLCompiler:
        return self._compiler


class PreparedQuery(Generic[M]):
    """A read compiled once per process and database alias; `run(**values)` gives its model instances."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M, Any]],
        *,
        edit_sql: Callable[[str, str], str] | None = None,
        **parameters: type,
    ) -> None:
        """`edit_sql(sql, vendor)`: the compiled SQL changed once, for what the ORM cannot write (a second locking
        clause); the tests of such a read check the edited SQL."""
        for name, kind in parameters.items():
            if kind not in (int, str):
                raise ImproperlyConfigured(f"{name}: only int and str parameters can be prepared, not {kind}")
        self._build = build
        self._edit_sql = edit_sql
        self._parameters = parameters
        self._compiled: dict[str, _Compiled] = {}
        self._converters = threading.local()  # alias -> (this thread's connection, its converters, composite)

    def queryset(self, **values: Any) -> QuerySet[M]:
        """The queryset the prepared read stands for (what the tests compare it with)."""
        return self._build(**values)

    def run(self, using: str = "default", **values: Any) -> list[M]:
        compiler = self._ready(using, values)
        model = cast(type[M], compiler.query.model)  # a queryset's query always has its model
        return list(ModelIterable(_Source(using, compiler, model)))  # type: ignore[arg-type]

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The rows as tuples, each value converted as the ORM converts it, for a read built with `values_list`:
        no model instance is made. The columns come in the order of the compiled SELECT (the fields named, then
        the annotations), which preparing checks against the order `values_list` names them in."""
        return [tuple(row) for row in self._ready(using, values).results_iter(tuple_expected=True)]

    def _ready(self, using: str, values: dict[str, Any]) -> SQLCompiler:
        """A copy of the compiled read for this thread's connection, its SQL bound to these values."""
        if values.keys() != self._parameters.keys():
            raise TypeError(f"expected the values {sorted(self._parameters)}, got {sorted(values)}")
        for name, value in values.items():
            if type(value) is not self._parameters[name]:
                raise TypeError(f"{name}: expected {self._parameters[name].__name__}, got {value!r}")
        compiled = self._compiled.get(using)
        if compiled is None:
            # Two threads may both compile the first time: the results are equal, either may stay.
            compiled = self._compiled[using] = self._compile(using)
        sql, bound = compiled.sql, compiled.bind(values)
        compiler = copy.copy(compiled.compiler)
        connection = compiler.connection = connections[using]  # this thread's connection
        if compiler.query.select_for_update and connection.get_autocommit():
            # What Django checks while compiling: a lock outside a transaction would be released at once.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)  # type: ignore[method-assign]
        # What reading the rows works out from the columns alone, again on every run: which converters each column
        # has (a third of a one-row read's CPU) and whether any column is composite. Worked out once per thread's
        # connection (the converters may be the connection's own methods) and handed to the copy.
        kept = getattr(self._converters, using, None)
        if kept is None or kept[0] is not connection:
            fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
            kept = (connection, compiler.get_converters(fields), compiler.has_composite_fields(fields))
            setattr(self._converters, using, kept)
        _connection, converters, composite = kept
        compiler.get_converters = lambda expressions: converters  # type: ignore[method-assign]
        compiler.has_composite_fields = lambda expressions: composite  # type: ignore[method-assign]
        return compiler

    def first(self, using: str = "default", **values: Any) -> M | None:
        rows = self.run(using, **values)
        return rows[0] if rows else None

    def sql(self, using: str = "default", **values: Any) -> tuple[str, tuple[Any, ...]]:
        """The SQL and parameters `run` sends for these values."""
        compiled = self._compiled.get(using) or self._compile(using)
        return compiled.sql, compiled.bind(values)

    def _compile(self, using: str) -> _Compiled:
        """Compile with two different sets of markers: a value reaches the SQL as a parameter of its own exactly
        when both give the same SQL and each marker sits, unchanged, in the same places (a `__contains` filter
        wraps it in %...%, an `__iexact` one escapes "_", a `build` may strip or lower it: all refused)."""
        first, second = self._markers(0), self._markers(1)
        compiler, sql, params = self._sql_of(first, using)
        _unused, sql_again, params_again = self._sql_of(second, using)
        positions: dict[str, tuple[int, ...]] = {}
        for name, marker in first.items():
            positions[name] = tuple(
                i for i, param in enumerate(params) if type(param) is type(marker) and param == marker
            )
        compiled = _Compiled(compiler, sql, tuple(params), positions)
        if sql_again != sql or compiled.bind(second) != tuple(params_again) or not all(positions.values()):
            raise ImproperlyConfigured(f"{', '.join(first)}: not each a parameter of its own in {sql}")
        if self._edit_sql is not None:
            edited = self._edit_sql(sql, connections[using].vendor)
            compiled = _Compiled(compiler, edited, compiled.params, positions)
        return compiled

    def _markers(self, variant: int) -> dict[str, Any]:
        """Values that no constant of a query is likely to equal (a collision is caught by the second compile):
        numbers that fit every integer column, including positive small ones, and texts with cases, "_", "%", "\\"
        and spaces at their ends, which any transformation of the value would change."""
        return {
            name: 29_000 + 100 * variant + index if kind is int else f" Marker_{variant}%{index}\\{name} "
            for index, (name, kind) in enumerate(self._parameters.items())
        }

    def _sql_of(self, markers: dict[str, Any], using: str) -> tuple[SQLCompiler, str, list[Any]]:
        queryset = self._build(**markers)
        named = getattr(queryset, "_fields", None)  # values_list's names, in the order its tuples give them
        query = queryset.query
        if named and tuple(named) != (*query.extra_select, *query.values_select, *query.annotation_select):
            raise ImproperlyConfigured(f"values_list{tuple(named)}: name the fields before the annotations")
        compiler = query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet) as exc:  # a marker out of a column's range, say
            raise ImproperlyConfigured(f"{', '.join(markers)}: the query cannot be prepared ({exc!r})") from exc
        compiler.connection = None  # each run sets its own thread's connection
        return compiler, sql, list(params)


@lru_cache(maxsize=64)
def _update_sql(model: type[Model], names: tuple[str, ...], using: str) -> tuple[str, tuple[Field, ...]]:
    quote = connections[using].ops.quote_name
    fields = tuple(cast(Field, model._meta.get_field(name)) for name in names)  # concrete fields: they have columns
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    # Names from the model's own definition, quoted; the values are parameters.
    table, key = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608  # nosec B608
    return sql, fields


def fields_save(instance: Model, names: Sequence[str], using: str = "default") -> None:
    """`instance.save(update_fields=names)` for one row's few fields in a hot path (each autosave writes its
    response's progress and last activity): the UPDATE is written once per model and fields, and each call only
    converts the values, as `save` would (an `auto_now` field takes the time, a JSON field its adapter).

    A model with a pre_save or post_save receiver is saved by `save` itself, so that no receiver is skipped
    (tests/test_prepared.py checks that the row written is the row `save` writes). Like `save(update_fields=...)`, a
    row that is gone is an error."""
    written = fields_update(instance, names, using)
    if written is None:
        instance.save(update_fields=names, using=using)  # a receiver added later is never skipped
        return
    with connections[using].cursor() as cursor:
        cursor.execute(*written)
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def fields_update(instance: Model, names: Sequence[str], using: str = "default") -> tuple[str, list[Any]] | None:
    """The UPDATE (SQL, parameters) that `fields_save` sends, for a caller that sends it within another statement
    (a WITH item: `AnswerWriter.write(also=...)`); the values are converted as `save` converts them (an `auto_now`
    field takes the time now). None when the model has a pre_save or post_save receiver: save it with `save`."""
    model = type(instance)
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        return None
    connection = connections[using]
    sql, fields = _update_sql(model, tuple(names), using)
    values = [field.get_db_prep_save(field.pre_save(instance, add=False), connection) for field in fields]
    return sql, [*values, instance.pk]
