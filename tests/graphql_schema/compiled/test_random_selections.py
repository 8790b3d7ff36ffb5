"""Random valid selections over everything the compiled path declares — aliases, inline and
named fragments, `__typename`, nested relations, root connections with filters, orders and
page sizes, as literals or variables — answer the same JSON on both paths."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_leaf_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.settings import ReadPath, Settings
from graphql_schema.compiled.declarations import REGISTRY
from graphql_schema.schema import build_schema
from tests.graphql import gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]
SCHEMA: GraphQLSchema = build_schema()._schema
MAX_DEPTH = 3
# Fields only the resolvers answer, asked inside compiled objects.
RESOLVED_ONLY = {
    "Service": "satisfaction(days: 30) { ratings days }",
    "Team": "satisfaction { days }",
    "BusinessUnit": "satisfaction { ratings }",
    "ServiceRequest": "nextStatuses",
    "Incident": "restoreTimeSeconds nextStatuses",
    "BacklogItem": "nextStatuses",
    "Release": "nextStatuses",
    "Feedback": "viewerHasVoted contactEmail",
    "Objective": "status currentValue samples",
}

pytestmark = pytest.mark.usefixtures("catalog")


def _declared_fields(type_name: str) -> list[str]:
    type_ = SCHEMA.type_map[type_name]
    assert isinstance(type_, GraphQLObjectType)
    return [name for name in REGISTRY.types[type_name] if not type_.fields[name].args]


@st.composite
def _selection(draw: st.DrawFn, type_name: str, depth: int, fragments: list[str]) -> str:
    type_ = SCHEMA.type_map[type_name]
    assert isinstance(type_, GraphQLObjectType)
    names = _declared_fields(type_name)
    if depth >= MAX_DEPTH:
        names = [name for name in names if is_leaf_type(get_named_type(type_.fields[name].type))]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
    parts: list[str] = []
    for name in chosen:
        alias = draw(st.sampled_from(["", f"a_{name}: "]))
        named = get_named_type(type_.fields[name].type)
        inner = (
            ""
            if is_leaf_type(named)
            else " { " + draw(_selection(named.name, depth + 1, fragments)) + " }"
        )
        parts.append(f"{alias}{name}{inner}")
    if draw(st.booleans()):
        parts.append("__typename")
    if type_name in RESOLVED_ONLY and draw(st.booleans()):
        parts.append(RESOLVED_ONLY[type_name])
    body = " ".join(draw(st.permutations(parts)))
    wrap = draw(st.sampled_from(["plain", "inline", "named"]))
    if wrap == "inline":
        return f"... on {type_name} {{ {body} }}"
    if wrap == "named":
        name = f"F{len(fragments)}"
        fragments.append(f"fragment {name} on {type_name} {{ {body} }}")
        return f"...{name}"
    return body


ROOTS = {
    "services": "Service",
    "staleServices": "Service",
    "teams": "Team",
    "businessUnits": "BusinessUnit",
    "salesforceOrgs": "SalesforceOrg",
    "people": "Person",
    "serviceRequests": "ServiceRequest",
    "incidents": "Incident",
    "backlogItems": "BacklogItem",
    "openHotfixes": "BacklogItem",
    "sprints": "Sprint",
    "releases": "Release",
    "feedback": "Feedback",
    "slas": "Sla",
    "staleSlas": "Sla",
    "slaEvents": "SlaEvent",
}


@st.composite
def _document(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    fragments: list[str] = []
    variables: dict[str, Any] = {}
    definitions: list[str] = []
    roots: list[str] = []
    for index in range(draw(st.integers(1, 2))):
        field = draw(st.sampled_from([*ROOTS, "service"]))
        alias = f"r{index}: "
        if field == "service":
            slug = draw(st.sampled_from(["checkout", "billing", "none"]))
            roots.append(
                f'{alias}service(slug: "{slug}") {{ {draw(_selection("Service", 1, fragments))} }}'
            )
            continue
        arguments = []
        first = draw(st.one_of(st.none(), st.integers(0, 4)))
        if first is not None:
            if draw(st.booleans()):
                variables[f"first{index}"] = first
                definitions.append(f"$first{index}: Int")
                arguments.append(f"first: $first{index}")
            else:
                arguments.append(f"first: {first}")
        if field == "services":
            order = draw(
                st.sampled_from(["", "{field: TIER, direction: DESC}", "{field: UPDATED_AT}"])
            )
            if order:
                arguments.append(f"orderBy: {order}")
            tier = draw(st.sampled_from(["", "{tiers: [TIER_1, TIER_2]}", '{search: "bill"}']))
            if tier:
                arguments.append(f"filter: {tier}")
        parts = draw(
            st.lists(
                st.sampled_from(["totalCount", "edges", "nodes", "pageInfo", "__typename"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        connection = []
        for part in parts:
            if part == "edges":
                node = draw(_selection(ROOTS[field], 1, fragments))
                connection.append(f"edges {{ cursor node {{ {node} }} }}")
            elif part == "nodes":
                connection.append(f"nodes {{ {draw(_selection(ROOTS[field], 1, fragments))} }}")
            elif part == "pageInfo":
                connection.append("pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
            else:
                connection.append(part)
        argument_text = f"({', '.join(arguments)})" if arguments else ""
        roots.append(f"{alias}{field}{argument_text} {{ {' '.join(connection)} }}")
    header = f"({', '.join(definitions)})" if definitions else ""
    return f"query Q{header} {{ {' '.join(roots)} }}\n" + "\n".join(fragments), variables


@st.composite
def connections(draw: st.DrawFn, roots: dict[str, tuple[str, list[str]]]) -> str:
    """One or two of `roots` (connection -> its node type and the arguments drawn for it,
    besides the page size), each with a random selection of its parts."""
    fragments: list[str] = []
    selected: list[str] = []
    for index in range(draw(st.integers(1, 2))):
        field = draw(st.sampled_from(sorted(roots)))
        node_type, choices = roots[field]
        arguments = [f"first: {draw(st.integers(0, 4))}"]
        chosen = draw(st.sampled_from(choices))
        if chosen:
            arguments.append(chosen)
        parts = draw(
            st.lists(
                st.sampled_from(["totalCount", "edges", "nodes", "pageInfo"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        connection = []
        for part in parts:
            if part == "edges":
                node = draw(_selection(node_type, 1, fragments))
                connection.append(f"edges {{ cursor node {{ {node} }} }}")
            elif part == "nodes":
                connection.append(f"nodes {{ {draw(_selection(node_type, 1, fragments))} }}")
            elif part == "pageInfo":
                connection.append("pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
            else:
                connection.append(part)
        selected.append(f"r{index}: {field}({', '.join(arguments)}) {{ {' '.join(connection)} }}")
    return f"query Q {{ {' '.join(selected)} }}\n" + "\n".join(fragments)


@pytest.fixture
async def both(settings: Settings, make_client: MakeClient) -> tuple[httpx.AsyncClient, ...]:
    """One app per path for all the examples (an app holds connections of its own)."""
    return tuple(
        [
            await make_client(settings.model_copy(update={"read_path": path}))
            for path in (ReadPath.COMPILED, ReadPath.RESOLVERS)
        ]
    )


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=_document())
async def test_a_random_selection_answers_the_same_on_both_paths(
    document: tuple[str, dict[str, Any]], both: tuple[httpx.AsyncClient, ...]
) -> None:
    query, variables = document
    compiled, resolved = both
    asked = {"catalog-plan": "1"}
    answer = await gql(compiled, query, variables, headers=asked)
    expected = await gql(resolved, query, variables)
    if _over_cost(answer):
        # Refused before either path runs (a team's releases' services, say, on a full page
        # of teams): the same refusal on both.
        assert answer == expected, query
        return
    assert answer["extensions"]["plan"]["path"] == "compiled", answer["extensions"]["plan"]
    del answer["extensions"]
    assert json.dumps(answer) == json.dumps(expected), query


def _over_cost(answer: dict[str, Any]) -> bool:
    errors = answer.get("errors") or []
    return [error["extensions"]["code"] for error in errors] == ["COST_LIMIT_EXCEEDED"]
