"""Walking the schema's arguments to build requests for sweeps: every place a string can sit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from graphql_schema.node import global_id
from graphql_schema.schema import build_schema

SCHEMA = build_schema()._schema
SAMPLE_ID = global_id("Service", uuid.UUID(int=1))
STRING_SCALARS = frozenset({"String", "ID", "Date", "DateTime", "JSON"})

Step = str | int
Path = tuple[Step, ...]


def sample(type_: GraphQLInputType) -> Any:
    """A value that passes GraphQL validation for an input type (contents need not make sense)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: sample(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    assert isinstance(type_, GraphQLScalarType)
    return {
        "String": "x",
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "ID": SAMPLE_ID,
        "Date": date.today().isoformat(),
        "DateTime": "2026-01-01T00:00:00+00:00",
        "JSON": {},
    }[type_.name]


def string_places(
    type_: GraphQLInputType, path: Path = (), seen: frozenset[str] = frozenset()
) -> Iterator[tuple[Path, str]]:
    """Each place a string scalar can sit in a value of `type_` (a list: its first item)."""
    named = get_named_type(type_)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        yield from string_places(inner.of_type, (*path, 0), seen)
    elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for name, field in named.fields.items():
            yield from string_places(field.type, (*path, name), seen | {named.name})
    elif isinstance(named, GraphQLScalarType) and named.name in STRING_SCALARS:
        yield path, named.name


def put(value: Any, type_: GraphQLInputType, path: Path, leaf: Any) -> Any:
    """`value` with `leaf` at `path`, making the input objects and lists on the way."""
    if not path:
        return leaf
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    step, rest = path[0], path[1:]
    if isinstance(inner, GraphQLList):
        first = value[0] if isinstance(value, list) and value else None
        return [put(first, inner.of_type, rest, leaf)]
    assert isinstance(inner, GraphQLInputObjectType)
    assert isinstance(step, str)
    current = dict(value) if isinstance(value, dict) else sample(inner)
    current[step] = put(current.get(step), inner.fields[step].type, rest, leaf)
    return current


def document(kind: str, name: str, field: GraphQLField, selection: str | None = None) -> str:
    """`kind($a: T, …) { name(a: $a, …) selection }`: every argument passed as a variable."""
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    if selection is None:
        selection = "" if is_leaf_type(get_named_type(field.type)) else "{ __typename }"
    return f"{kind}({declared}) {{ {name}({passed}) {selection} }}"
