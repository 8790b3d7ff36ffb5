"""Fields inside a compiled object that only the resolvers can answer (a live Salesforce
value, a value computed in Python, a field with arguments).

The statement writes, where such a field goes, a marker naming the object's global id and
the field's group; every marker of a group is then answered by one `nodes(ids:)` operation
through the resolvers (batched as any `nodes` query is), and its values put in place, keys
in the order selected. A nullable deferred field that fails is null with its error at its
place in the response, as the resolvers would answer; a failure that would null more than
the field (a non-null field, an object gone meanwhile) lets the resolvers answer the whole
operation instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
)
from graphql import execute as execute_document

from graphql_schema.context import Context

MARKER = "__deferred"
GROUP = "__group"
IDS_VARIABLE = "catalogDeferredIds"
# `nodes(ids:)` answers at most this many ids at once (graphql_schema/node.py).
NODES_AT_ONCE = 100


@dataclass(frozen=True)
class DeferredGroup:
    """One deferred field at one place of the document: its type, key and field nodes."""

    type_name: str
    key: str
    nodes: tuple[FieldNode, ...]
    path: tuple[str, ...]
    nullable: bool


class DeferredFieldFailed(Exception):
    """A deferred field answered with an error: the resolvers answer the operation."""


@dataclass
class _Place:
    holder: dict[str, Any]
    key: str
    global_id: str
    path: tuple[str | int, ...]


async def fill(
    data: Any,
    groups: tuple[DeferredGroup, ...],
    *,
    schema: strawberry.Schema,
    context: Context,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> list[GraphQLError]:
    """Replace every marker in `data` by the value the resolvers give its field; the errors
    of the fields that failed, at their paths in the response."""
    places: dict[int, list[_Place]] = {}
    errors: list[GraphQLError] = []
    for place, index in _markers(data, ()):
        places.setdefault(index, []).append(place)
    chunks = [
        (groups[index], found[start : start + NODES_AT_ONCE])
        for index, found in places.items()
        for start in range(0, len(found), NODES_AT_ONCE)
    ]
    # Together, as the resolvers would run them: a slow org must not hold up the others.
    outcomes = await asyncio.gather(
        *(
            _resolve(
                group,
                [place.global_id for place in chunk],
                schema=schema,
                context=context,
                operation=operation,
                fragments=fragments,
                variables=variables,
            )
            for group, chunk in chunks
        )
    )
    for (_, chunk), (answers, failed) in zip(chunks, outcomes, strict=True):
        for place, answer in zip(chunk, answers, strict=True):
            place.holder[place.key] = answer
        errors += [_moved(error, chunk) for error in failed]
    return errors


def _moved(error: GraphQLError, chunk: list[_Place]) -> GraphQLError:
    """The error of `nodes[i].<field>...` at its place in the response."""
    path = list(error.path or ())
    place = chunk[int(path[1])]
    return GraphQLError(
        error.message,
        original_error=error.original_error,
        path=[*place.path, *path[3:]],
        extensions=error.extensions,
    )


def _markers(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[_Place, int]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and MARKER in item:
                yield _Place(value, key, item[MARKER], (*path, key)), item[GROUP]
            else:
                yield from _markers(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _markers(item, (*path, index))


async def _resolve(
    group: DeferredGroup,
    ids: list[str],
    *,
    schema: strawberry.Schema,
    context: Context,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> tuple[list[Any], list[GraphQLError]]:
    document = _document(group, operation, fragments)
    outcome = execute_document(
        schema._schema,
        document,
        context_value=context,
        variable_values={**variables, IDS_VARIABLE: ids},
    )
    result = await outcome if isawaitable(outcome) else outcome
    assert isinstance(result, ExecutionResult)
    nodes = (result.data or {}).get("nodes")
    errors = result.errors or []
    if nodes is None or any(node is None for node in nodes):
        raise DeferredFieldFailed(str(errors) or "an object of the page is gone")
    if errors and not group.nullable:
        raise DeferredFieldFailed(str(errors))
    if any(len(error.path or ()) < 3 for error in errors):
        raise DeferredFieldFailed(str(errors))
    return [node[group.key] for node in nodes], list(errors)


def _document(
    group: DeferredGroup,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> DocumentNode:
    ids = VariableDefinitionNode(
        variable=VariableNode(name=NameNode(value=IDS_VARIABLE)),
        type=NonNullTypeNode(
            type=ListTypeNode(type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="ID"))))
        ),
    )
    on_type = InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=group.type_name)),
        selection_set=SelectionSetNode(selections=group.nodes),
    )
    nodes = FieldNode(
        name=NameNode(value="nodes"),
        arguments=(
            ArgumentNode(
                name=NameNode(value="ids"), value=VariableNode(name=NameNode(value=IDS_VARIABLE))
            ),
        ),
        selection_set=SelectionSetNode(selections=(on_type,)),
    )
    query = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=(*(operation.variable_definitions or ()), ids),
        selection_set=SelectionSetNode(selections=(nodes,)),
    )
    return DocumentNode(definitions=(query, *fragments.values()))


__all__ = ["GROUP", "MARKER", "DeferredFieldFailed", "DeferredGroup", "fill"]
