"""SQL helpers shared by the work domain's compiled declarations (graphql_schema/compiled)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, Text, and_, case, cast, func, literal_column
from sqlalchemy.dialects.postgresql import JSON

from graphql_schema.compiled.declarations import RawJson

# Python writes a float with a decimal exponent below 16 in positional notation, PostgreSQL
# (shortest-exact, as Python) below 15; both write the same digits otherwise.
_POSITIONAL_BELOW: ColumnElement[Any] = literal_column("1e15")


def float_json(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A double as JSON written as Python's `repr` writes it: PostgreSQL's shortest-exact text,
    with the `.0` Python keeps on a whole number (`100.0`, not `100`). Whole numbers of 1e15
    and more PostgreSQL writes in exponent notation: the same number, other text."""
    text = cast(value, Text)
    whole = and_(value == func.trunc(value), func.abs(value) < _POSITIONAL_BELOW)
    return cast(case((whole, text + literal_column("'.0'")), else_=text), JSON)


def float_column(name: str) -> RawJson:
    """A stored double (`Float` in GraphQL), as the resolvers serialize it."""
    return RawJson(lambda row, _: float_json(row.c[name]))


def text_constant(value: str) -> ColumnElement[str]:
    """A string constant of the declaration written into the SQL (never a client's value)."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


__all__ = ["float_column", "float_json", "text_constant"]
