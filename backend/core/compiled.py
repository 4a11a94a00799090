"""Hot read queries built and compiled once per process.

Building and compiling a Django queryset can cost far more CPU than running it: the work list's
row for one image (state, counts, decision; `backend.workspace.selectors.image_worklist_get`)
took 2.9 ms to build, 4.7 ms more to compile and 0.6 ms to run on PostgreSQL (2026-12-01, a
2-core AMD EPYC). A `CompiledQuery` builds its queryset once with stand-in values, compiles it,
and from then on runs the same SQL with the caller's values in the stand-ins' slots; the rows
become model instances through Django's own iterable, so select_related, annotations and
annotations behave as usual. Prefetches are left to the caller (`prefetch_related_objects` on the
rows): a prefetch's queryset would keep the stand-ins' values, so a queryset with one is refused.

A query qualifies when its SQL has the same shape whatever the values. That is checked when it is
first compiled, per database and per `shape` (the values that do change the SQL, such as whether
the user is staff): it is built twice with different stand-ins, and the two SQL texts and every
parameter that is not a stand-in's must be equal, each differing parameter must be the stand-in of
one argument, and every argument must reach the SQL that way. A query that fails the check (a value
inlined into the SQL, a clock read inside the builder instead of passed in, an argument the builder
branches on or drops, as the user's id for staff, who see everything) runs through the ORM every
time, logged once.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

log = logging.getLogger(__name__)

ARGUMENT_TYPES = (int, str, dt.datetime)


@dataclass(frozen=True)
class _Slot:
    position: int  # index in the parameter list
    argument: str
    adapt: Callable[[Any], Any]  # the caller's value -> the value the database driver gets


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: Any  # the SQLCompiler that compiled it: select, klass_info and converters are set
    sql: str
    params: tuple
    slots: tuple[_Slot, ...]


def _stand_in(kind: type, round_: int, index: int):
    """A value of `kind` no caller passes, different for each round and argument. Integers stay
    inside the range of a 32-bit positive integer column: Django turns a lookup of a value its
    column cannot hold into an empty result (EmptyResultSet) instead of SQL, so a stand-in out of
    that range (as a negative one for a PositiveIntegerField) would leave the query uncompiled."""
    number = 2_000_000_000 + 1000 * round_ + index
    if kind is int:
        return number
    if kind is str:
        return f"compiled-query-stand-in-{number}"
    if kind is dt.datetime:
        return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=number % 10**8)
    raise TypeError(kind)


def _fits(kind: type, value) -> bool:
    """Whether `value` can take a stand-in's slot as it is: exactly what the stand-in was. Anything
    else (a numeric string, a bool, a naive time, None) runs through the ORM, which converts it or
    refuses it as it would without this module."""
    if kind is dt.datetime:
        return type(value) is dt.datetime and value.tzinfo is not None
    return type(value) is kind


class CompiledQuery:
    """`build(shape, **arguments) -> QuerySet` of `model`; `arguments` names each argument's type
    (int, str or datetime). `fetch(shape, **values)` returns the rows as a list, as
    `list(build(shape, **values))` would."""

    every: list[CompiledQuery] = []  # each one made, so a test can check that every one compiles

    def __init__(
        self,
        name: str,
        model,
        build: Callable[..., QuerySet],
        arguments: dict[str, type],
        shapes: tuple[tuple, ...] = ((),),
    ):
        """`shapes`: the shapes whose SQL is expected to compile (a test checks them); others may
        run through the ORM by design (staff, who see everything, drop the user's id)."""
        for kind in arguments.values():
            if kind not in ARGUMENT_TYPES:
                raise TypeError(f"a compiled query's arguments are {ARGUMENT_TYPES}, not {kind!r}")
        self.name, self.model, self.build, self.arguments = name, model, build, dict(arguments)
        self.shapes = shapes
        CompiledQuery.every.append(self)
        self._compiled: dict[tuple, _Compiled | None] = {}
        self._lock = threading.Lock()

    def fetch(self, shape: tuple = (), **values) -> list:
        if set(values) != set(self.arguments):
            raise TypeError(f"{self.name} takes {sorted(self.arguments)}, got {sorted(values)}")
        database = router.db_for_read(self.model)
        compiled = self._compiled_for(database, shape)
        if compiled is None or not all(_fits(self.arguments[name], value) for name, value in values.items()):
            return list(self.build(shape, **values))
        params = list(compiled.params)
        for slot in compiled.slots:
            params[slot.position] = slot.adapt(values[slot.argument])
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[database]
        answer = (compiled.sql, tuple(params))
        compiler.as_sql = lambda *args, **kwargs: answer
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def first(self, shape: tuple = (), **values):
        """The first row `fetch` returns, or None."""
        rows = self.fetch(shape, **values)
        return rows[0] if rows else None

    def _build(self, round_: int, shape: tuple) -> tuple[QuerySet, dict]:
        stand_ins = {
            name: _stand_in(kind, round_, index) for index, (name, kind) in enumerate(sorted(self.arguments.items()))
        }
        return self.build(shape, **stand_ins), stand_ins

    def _compiled_for(self, database: str, shape: tuple) -> _Compiled | None:
        key = (database, shape)
        if key in self._compiled:
            return self._compiled[key]
        with self._lock:
            if key not in self._compiled:
                self._compiled[key] = self._compile(database, shape)
        return self._compiled[key]

    def _compile(self, database: str, shape: tuple) -> _Compiled | None:
        try:
            (first, first_values), (second, second_values) = self._build(1, shape), self._build(2, shape)
        except Exception as exc:
            log.info("compiled query %s runs through the ORM each time: building it failed (%s)", self.name, exc)
            return None
        if first._prefetch_related_lookups:
            raise ValueError(f"{self.name}: prefetch on the rows (prefetch_related_objects), not in the query")
        try:
            compiler = first.query.get_compiler(using=database)
            sql, params = compiler.as_sql()
            other_sql, other_params = second.query.get_compiler(using=database).as_sql()
        except Exception as exc:
            log.info("compiled query %s runs through the ORM each time: compiling it failed (%s)", self.name, exc)
            return None
        problem = None
        slots: list[_Slot] = []
        if sql != other_sql or len(params) != len(other_params):
            problem = "its SQL changes with the values"
        else:
            ops = connections[database].ops
            for position, (a, b) in enumerate(zip(params, other_params, strict=True)):
                if a == b:
                    continue
                slot = _slot_of(position, a, b, first_values, second_values, self.arguments, ops)
                if slot is None:
                    problem = f"parameter {position} changes but is no argument's value"
                    break
                slots.append(slot)
        if not problem:
            unused = sorted(set(self.arguments) - {slot.argument for slot in slots})
            if unused:  # the builder dropped or transformed it (a branch, a clamp): the SQL would not follow it
                problem = f"argument {unused[0]} does not reach its SQL as a parameter"
        if problem:
            log.info("compiled query %s runs through the ORM each time: %s", self.name, problem)
            return None
        return _Compiled(first, compiler, sql, tuple(params), tuple(slots))


def _slot_of(position, a, b, first_values, second_values, arguments, ops) -> _Slot | None:
    for name, kind in arguments.items():
        adapters: list[Callable[[Any], Any]] = [_same]
        if kind is dt.datetime:
            adapters.append(ops.adapt_datetimefield_value)
        for adapt in adapters:
            if a == adapt(first_values[name]) and b == adapt(second_values[name]):
                return _Slot(position, name, adapt)
    return None


def _same(value):
    return value
