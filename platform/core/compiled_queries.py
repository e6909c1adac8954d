"""ORM queries compiled once per process and shape, then run with each request's values.

A feed page's queries carry every visibility rule in SQL. Building and compiling those
querysets cost the ORM several times what Postgres spends running them (on the bench data,
about 6 ms of CPU against 1.5 ms in the database for a following page). A compiled query builds
its queryset once with stand-in integers where the request's values go, keeps Django's SQL and
the columns' converters, and each call only puts the real values into the parameter list.
The ORM stays the one place the rules are written: there is no hand-written SQL.

What the key must hold: anything that changes the SQL's shape or constants (a list's length, a
date, a flag, a LIMIT). The values themselves must be integers the ORM passes through unchanged
(ids): compiling checks that every stand-in handed out comes back as a parameter.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

# Far below any id: a compiled parameter equal to one of these is a stand-in.
_FIRST_STAND_IN = -7_340_000_000_000
_MAX_COMPILED = 512  # shapes kept per process (page sizes, block-list lengths...)
_M = TypeVar("_M", bound=Model)


class StandIns:
    """Hands out stand-in integers while a query is built, and remembers what each stands for."""

    def __init__(self) -> None:
        self.slots: dict[int, tuple[str, int | None]] = {}

    def one(self, name: str) -> int:
        return self._new(name, None)

    def many(self, name: str, count: int) -> list[int]:
        return [self._new(name, index) for index in range(count)]

    def _new(self, name: str, index: int | None) -> int:
        stand_in = _FIRST_STAND_IN - len(self.slots)
        self.slots[stand_in] = (name, index)
        return stand_in


def bucket(count: int) -> int:
    """The length a list of `count` values is padded to (see `padded`): 0, 8, 16, 32..."""
    return 0 if count == 0 else max(8, 1 << (count - 1).bit_length())


def padded(values: Sequence[int]) -> list[int]:
    """`values` repeated at the end up to bucket(len): a few shapes then serve every length of
    an IN list (a repeated value changes nothing there)."""
    return [*values, *list(values[-1:]) * (bucket(len(values)) - len(values))]


class CompileError(RuntimeError):
    """A query whose values the ORM changed on the way to SQL: it cannot be reused."""


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[Any, ...]  # the constants; the slots' positions are filled per call
    slots: tuple[tuple[int, str, int | None], ...]  # (position, value name, index in a list)
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    columns: tuple[str, ...]
    using: str

    def rows(self, **values: int | Sequence[int]) -> list[dict[str, Any]]:
        params = list(self.params)
        for position, name, index in self.slots:
            value = values[name]
            params[position] = value if index is None else value[index]  # type: ignore[index]
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        out = []
        for row in fetched:
            converted = list(row)
            for position, functions, expression in self.converters:
                for function in functions:
                    converted[position] = function(converted[position], expression, connection)
            out.append(dict(zip(self.columns, converted, strict=True)))
        return out

    def instances(self, model: type[_M], **values: int | Sequence[int]) -> list[_M]:
        """The rows as instances of `model` (through the ORM's own `from_db`), for a query of
        `.values(*concrete_attnames(model))`."""
        return [model.from_db(self.using, list(self.columns), tuple(row.values()))
                for row in self.rows(**values)]


def concrete_attnames(model: type[Model]) -> list[str]:
    """Every column of `model`, in the order `from_db` takes them."""
    return [field.attname for field in model._meta.concrete_fields]


_compiled: dict[Hashable, CompiledQuery] = {}


def compiled(key: Hashable, build: Callable[[StandIns], QuerySet[Any, Any]],
             using: str = "default") -> CompiledQuery:
    """The query `build` makes (a values() or values_list() queryset), compiled once per key.

    `build` receives the StandIns to use in place of every per-request value."""
    full_key = (using, connections[using].vendor, key)
    found = _compiled.get(full_key)
    if found is None:
        found = _compile(build, using)
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()
        _compiled[full_key] = found
    return found


def _compile(build: Callable[[StandIns], QuerySet[Any, Any]], using: str) -> CompiledQuery:
    stand_ins = StandIns()
    queryset = build(stand_ins)
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots = tuple((position, *stand_ins.slots[param]) for position, param in enumerate(params)
                  if isinstance(param, int) and param in stand_ins.slots)
    missing = set(stand_ins.slots) - set(params)
    if missing:
        raise CompileError(f"stand-ins lost in compiling: {sorted(missing)}")
    expressions = [column for column, _sql, _alias in compiler.select]
    converters = tuple((position, tuple(functions), expression) for position, (functions,
                       expression) in compiler.get_converters(expressions).items())
    query = queryset.query
    # values() and values_list() record their columns, in order, in `selected`.
    columns = tuple(query.selected or ())
    if len(columns) != len(expressions):
        raise CompileError("compile values() or values_list() querysets only")
    return CompiledQuery(sql=sql, params=tuple(params), slots=slots, converters=converters,
                         columns=tuple(columns), using=using)
