"""How each GraphQL type's fields map to SQL, declared beside its Strawberry definition.

A field is one of: a column or an SQL expression of the row the object is built from
(formatted in SQL as Strawberry would serialize the value), an embedded object built from
the same row (`ServiceLinks`), a relation to another declared type with its join, or a list
of objects read from a JSON array of the row. A field without a declaration is not
compilable: an operation selecting it is answered by the resolvers.

Root fields declare the rows they answer: one object (`service(slug:)`) or a keyset page
(`services(...)`), from the same statement builders their resolvers use, so both paths read
the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, DateTime, FromClause, Select, bindparam

from core.pagination import KeysetOrder

NOW = "now"
TODAY = "today"


def clock_parameter(value: datetime | None = None) -> BindParameter[datetime]:
    """The request's moment as the bound parameter `now`. A compiled statement is kept and
    run again: what it reads of the clock must be this parameter, never a value written in."""
    return bindparam(NOW, value, type_=DateTime(timezone=True))


def today_parameter() -> BindParameter[date]:
    return bindparam(TODAY, None, type_=Date)


@dataclass(frozen=True)
class Parameters:
    """Values a statement reads that are not in the document: bound, never inlined."""

    now: ColumnElement[Any]
    today: ColumnElement[Any]


Expression = Callable[[FromClause, Parameters], ColumnElement[Any]]


@dataclass(frozen=True)
class Column:
    """A column of the row, by its name in the table."""

    name: str


@dataclass(frozen=True)
class Computed:
    """An SQL expression of the row: the value the resolver computes in Python."""

    build: Expression


@dataclass(frozen=True)
class GlobalId:
    """The object's Relay id: base64url of `Type:<key column>`."""

    type_name: str
    column: str = "id"


@dataclass(frozen=True)
class RawJson:
    """An expression that already is the field's JSON (a stored array of ISO dates)."""

    build: Expression


@dataclass(frozen=True)
class Embedded:
    """An object built from the same row (its type declares its fields over that row);
    `present`, when given, says when it is not null."""

    present: Expression | None = None


@dataclass(frozen=True)
class Rows:
    """The rows a relation reads: `source` is what the target's fields are built over."""

    source: FromClause
    where: ColumnElement[bool]
    from_: FromClause | None = None
    order_by: Sequence[ColumnElement[Any]] = ()


@dataclass(frozen=True)
class Relation:
    """Objects of `type_name` related to the row; `many` makes a list (ordered)."""

    type_name: str
    rows: Callable[[FromClause, Parameters], Rows]
    many: bool = False


FieldSql = Column | Computed | GlobalId | RawJson | Embedded | Relation


@dataclass(frozen=True)
class PageSource:
    """What a keyset connection pages over: the statement of one ORM entity, its order and
    what its cursors are fingerprinted with (exactly as `connection.paginate` is given).

    The compiled path keeps the statement's SQL for the same arguments: a source reading
    the clock uses `clock_parameter()`."""

    statement: Select[Any]
    order: KeysetOrder
    type_name: str
    convert: Callable[[Any], Any]
    fingerprint_parts: Sequence[Any] = ()


@dataclass(frozen=True)
class RootPage:
    """A root connection field: arguments (without the paging ones) -> its page source."""

    source: Callable[..., PageSource]


class ResolversOnly(Exception):
    """A root's source refuses arguments only the resolvers can answer (e.g. a filter reading
    the caller: the compiled path gives its sources none, and keeps their SQL per arguments)."""


@dataclass(frozen=True)
class RootObject:
    """A root field answering one object or null: arguments -> the statement selecting it."""

    type_name: str
    statement: Callable[..., Select[Any]]


RootSql = RootPage | RootObject


@dataclass
class Registry:
    types: dict[str, dict[str, FieldSql]] = field(default_factory=dict)
    roots: dict[str, RootSql] = field(default_factory=dict)


REGISTRY = Registry()


def declare_sql(type_name: str, fields: Mapping[str, FieldSql]) -> None:
    """Declare how the fields of `type_name` (by their GraphQL names) read from SQL."""
    REGISTRY.types.setdefault(type_name, {}).update(fields)


def declare_root(field_name: str, root: RootSql) -> None:
    """Declare a Query field the compiled path can answer."""
    REGISTRY.roots[field_name] = root


__all__ = [
    "NOW",
    "REGISTRY",
    "TODAY",
    "Column",
    "Computed",
    "Embedded",
    "FieldSql",
    "GlobalId",
    "PageSource",
    "Parameters",
    "RawJson",
    "Relation",
    "ResolversOnly",
    "RootObject",
    "RootPage",
    "Rows",
    "clock_parameter",
    "declare_root",
    "declare_sql",
    "today_parameter",
]
