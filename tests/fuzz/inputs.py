"""Hypothesis strategies for every mutation's `input`, derived from the schema.

`MutationInputs(values).of("updateTeam")` draws the JSON value of `updateTeam`'s `input`
variable: every input object, list, enum and scalar of the schema has its strategy; IDs are
half the time real global ids of the demo (of the Node type the field's name tells), strings
are mostly printable with now and then a control character or an overlong one, and the
measurement import's `content` is CSV or JSON shaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import graphql
from hypothesis import strategies as st

from graphql_schema.schema import build_schema
from tests.fuzz.harness import DemoValues, named_type

SCHEMA = build_schema()._schema
MUTATIONS = tuple(sorted(SCHEMA.mutation_type.fields)) if SCHEMA.mutation_type else ()
MAX_LIST = 3
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _printable() -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)


def strings() -> st.SearchStrategy[str]:
    """Mostly printable; sometimes any text (control characters too), empty, or overlong."""
    return st.one_of(
        _printable(),
        _printable(),
        _printable(),
        st.text(max_size=20),
        st.just(""),
        st.integers(min_value=100, max_value=12_000).map(lambda size: "x" * size),
    )


def ints() -> st.SearchStrategy[int]:
    """Small numbers (versions, page sizes, estimates) more often than the whole range."""
    return st.one_of(
        st.integers(min_value=-1, max_value=5),
        st.integers(min_value=0, max_value=400),
        st.integers(min_value=INT_MIN, max_value=INT_MAX),
    )


def dates() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(lambda day: day.isoformat()), strings())


def datetimes() -> st.SearchStrategy[str]:
    aware = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
    naive = st.datetimes().map(lambda moment: moment.isoformat())
    return st.one_of(aware, aware, naive, strings())


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | _printable()
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=MAX_LIST)
            | st.dictionaries(_printable(), children, max_size=MAX_LIST)
        ),
        max_leaves=6,
    )


@dataclass(frozen=True)
class MutationInputs:
    """Strategies for the inputs of the schema's mutations, with the demo's real values."""

    values: DemoValues

    def of(self, mutation: str) -> st.SearchStrategy[Any]:
        """The `input` variable of `mutation`."""
        assert SCHEMA.mutation_type is not None
        field = SCHEMA.mutation_type.fields[mutation]
        return self._value(field.args["input"].type, mutation, "input")

    def _value(
        self, type_: graphql.GraphQLInputType, mutation: str, name: str
    ) -> st.SearchStrategy[Any]:
        if isinstance(type_, graphql.GraphQLNonNull):
            return self._non_null(type_.of_type, mutation, name)
        return st.none() | self._non_null(type_, mutation, name)

    def _non_null(self, type_: Any, mutation: str, name: str) -> st.SearchStrategy[Any]:
        if isinstance(type_, graphql.GraphQLList):
            return st.lists(self._value(type_.of_type, mutation, name), max_size=MAX_LIST)
        if isinstance(type_, graphql.GraphQLEnumType):
            return st.sampled_from(sorted(type_.values))
        if isinstance(type_, graphql.GraphQLInputObjectType):
            return self._object(type_, mutation)
        assert isinstance(type_, graphql.GraphQLScalarType), type_
        return self._scalar(type_.name, mutation, name)

    def _object(
        self, type_: graphql.GraphQLInputObjectType, mutation: str
    ) -> st.SearchStrategy[dict[str, Any]]:
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name, field in type_.fields.items():
            value = self._value(field.type, mutation, name)
            if graphql.is_required_input_field(field):
                required[name] = value
            else:
                optional[name] = value
        if type_.name == "ImportMeasurementsInput":
            required["content"] = self._import_content()
        return st.fixed_dictionaries(required, optional=optional)

    def _scalar(self, scalar: str, mutation: str, name: str) -> st.SearchStrategy[Any]:
        if scalar == "ID":
            return self._ids(mutation, name)
        if scalar == "String" and name == "slug":
            return st.sampled_from(self.values.slugs) | strings()
        strategies: dict[str, st.SearchStrategy[Any]] = {
            "String": strings(),
            "Int": ints(),
            "Float": st.floats(allow_nan=False, allow_infinity=False),
            "Boolean": st.booleans(),
            "Date": dates(),
            "DateTime": datetimes(),
            "JSON": json_values(),
        }
        return strategies[scalar]

    def _ids(self, mutation: str, name: str) -> st.SearchStrategy[str]:
        known = {type_name for type_name, ids in self.values.ids.items() if ids}
        target = named_type(name, mutation, known)
        every = [value for ids in self.values.ids.values() for value in ids]
        real = self.values.ids[target] if target else every
        return st.one_of(
            st.sampled_from(real), st.sampled_from(real), st.sampled_from(every), strings()
        )

    def _import_content(self) -> st.SearchStrategy[str]:
        """CSV or JSON rows of `metric,service,at,value[,note]`, each field sometimes wrong."""
        services = [*self.values.slugs, *self.values.ids.get("Service", [])]
        row = st.fixed_dictionaries(
            {
                "metric": st.sampled_from(["AVAILABILITY", "SATISFACTION", "MTTR"]) | strings(),
                "service": st.sampled_from(services) | strings(),
                "at": datetimes(),
                "value": st.floats(allow_nan=False, allow_infinity=False).map(str) | strings(),
            },
            optional={"note": strings()},
        )
        rows = st.lists(row, max_size=4)
        as_json = rows.map(json.dumps)
        as_csv = rows.map(_csv)
        return st.one_of(as_csv, as_csv, as_json, strings())


def _csv(rows: list[dict[str, str]]) -> str:
    header = "metric,service,at,value,note"
    lines = [",".join(_cell(row.get(key, "")) for key in header.split(",")) for row in rows]
    return "\n".join([header, *lines]) + "\n"


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value
