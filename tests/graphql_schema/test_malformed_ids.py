"""A malformed global id names nothing: a NOT_FOUND user error on its field, never an exception.

The sweep walks every ID an input of a mutation can carry. The other ids of the input are
given as ids of the type each names (learnt from the "does not name a <Type>" answers), so
that the malformed one is the one the mutation trips on.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from graphql import GraphQLField, GraphQLInputType, GraphQLObjectType, get_named_type

from graphql_schema.node import global_id
from tests.graphql import gql
from tests.graphql_schema.schema_walk import SCHEMA, Path, document, put, sample, string_places

MALFORMED = ("not-a-global-id", "U2VydmljZTpub3QtYS11dWlk")  # the second: "Service:not-a-uuid"
WRONG_TYPE = re.compile(r"^(?:\w+\.)?(\w+) does not name an? (\w+)$")
Place = tuple[str, Path]  # an argument, and the path inside it


def _id_places(field: GraphQLField) -> list[Place]:
    return [
        (arg, path)
        for arg, spec in field.args.items()
        for path, scalar in string_places(spec.type)
        if scalar == "ID"
    ]


def _name(place: Place) -> str:
    """The input field an id sits in: `serviceIds` for ("input", ("serviceIds", 0))."""
    arg, path = place
    return [step for step in (arg, *path) if isinstance(step, str)][-1]


MUTATIONS = {
    name: field
    for name, field in (SCHEMA.mutation_type.fields if SCHEMA.mutation_type else {}).items()
    if _id_places(field)
}


def _query(name: str, field: GraphQLField) -> str:
    payload = get_named_type(field.type)
    assert isinstance(payload, GraphQLObjectType)
    assert "userErrors" in payload.fields, name
    return document("mutation", name, field, "{ userErrors { field message code } }")


def _variables(
    field: GraphQLField, target: Place, malformed: str, types: dict[str, str]
) -> dict[str, Any]:
    """Every id of the right type (as far as learnt), the malformed one at `target`."""
    variables = {arg: sample(spec.type) for arg, spec in field.args.items()}
    for place in _id_places(field):
        arg, path = place
        spec: GraphQLInputType = field.args[arg].type
        value = (
            malformed
            if place == target
            else global_id(types.get(_name(place), "Service"), uuid.uuid4())
        )
        variables[arg] = put(variables.get(arg), spec, path, value)
    return variables


async def _answer(
    client: httpx.AsyncClient, name: str, field: GraphQLField, target: Place, malformed: str
) -> Any:
    """The answer once no other id of the input stands in the malformed one's way."""
    types: dict[str, str] = {}
    for _ in range(len(_id_places(field)) + 1):
        body = await gql(client, _query(name, field), _variables(field, target, malformed, types))
        if "errors" in body:
            return body
        learnt = {
            found.group(1): found.group(2)
            for error in body["data"][name]["userErrors"]
            if (found := WRONG_TYPE.match(error["message"])) and found.group(1) != _name(target)
        }
        if not learnt.keys() - types.keys():
            return body["data"][name]["userErrors"]
        types.update(learnt)
    return body


def test_the_sweep_covers_the_mutations_taking_ids() -> None:
    assert len(MUTATIONS) >= 40
    assert sum(len(_id_places(field)) for field in MUTATIONS.values()) >= 80


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_a_malformed_id_in_any_mutation_is_not_found_on_its_field(
    client: httpx.AsyncClient, mutation: str
) -> None:
    field = MUTATIONS[mutation]
    wrong: list[tuple[Any, ...]] = []

    for target in _id_places(field):
        for malformed in MALFORMED:
            answer = await _answer(client, mutation, field, target, malformed)
            expected = {"field": [_name(target)], "code": "NOT_FOUND"}
            if not isinstance(answer, list) or [
                {"field": error["field"], "code": error["code"]} for error in answer
            ] != [expected]:
                wrong.append((target, malformed, answer))

    assert wrong == []


QUERIES = {
    name: field
    for name, field in (SCHEMA.query_type.fields if SCHEMA.query_type else {}).items()
    if _id_places(field) and name not in ("node", "nodes")
}


async def _query_answer(
    client: httpx.AsyncClient, name: str, field: GraphQLField, target: Place, malformed: str
) -> dict[str, Any]:
    """As `_answer`, for a query: its filters refuse with a top-level error."""
    types: dict[str, str] = {}
    query = document("query", name, field)
    for _ in range(len(_id_places(field)) + 1):
        body = await gql(client, query, _variables(field, target, malformed, types))
        learnt = {
            found.group(1): found.group(2)
            for error in body.get("errors", [])
            if (found := WRONG_TYPE.match(error["message"])) and found.group(1) != _name(target)
        }
        if not learnt.keys() - types.keys():
            return body
        types.update(learnt)
    return body


@pytest.mark.parametrize("query", sorted(QUERIES))
async def test_a_malformed_id_in_any_query_is_bad_user_input_naming_it(
    client: httpx.AsyncClient, query: str
) -> None:
    field = QUERIES[query]
    wrong: list[tuple[Any, ...]] = []

    for target in _id_places(field):
        for malformed in MALFORMED:
            body = await _query_answer(client, query, field, target, malformed)
            errors = body.get("errors", [])
            named = [
                error
                for error in errors
                if "is not a valid" in error["message"]
                and (_name(target) in error["message"] or malformed in error["message"])
            ]
            if [e["extensions"]["code"] for e in errors] != ["BAD_USER_INPUT"] or not named:
                wrong.append((target, malformed, body))

    assert wrong == []


async def test_a_malformed_id_is_null_for_node_and_nodes(client: httpx.AsyncClient) -> None:
    query = "query($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }"

    body = await gql(client, query, {"id": MALFORMED[0], "ids": list(MALFORMED)})

    assert body == {"data": {"node": None, "nodes": [None, None]}}
