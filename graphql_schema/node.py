"""The Relay `Node` interface: opaque global ids resolved to any catalog object."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy.orm import with_loader_criteria

from core.errors import NotFound
from core.ids import GlobalId, MalformedGlobalId
from core.repository import get_by_ids
from graphql_schema.access import is_public_type
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.prefetch import loader_options
from identity.principal import Principal

MAX_NODES = 100


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


def _same(key: uuid.UUID) -> Any:
    return key


@dataclass(frozen=True)
class NodeType:
    model: type[Any]
    convert: Callable[[Any], Node]
    # The primary key a global id's UUID stands for (an integer key is carried as UUID(int=)).
    key: Callable[[uuid.UUID], Any] = _same
    # The rows a signed-in caller may see, as a condition (None: every row).
    visible: Callable[[Principal], Any] | None = None


_NODE_TYPES: dict[str, NodeType] = {}


def register_node(
    type_name: str,
    model: type[Any],
    convert: Callable[[Any], Node],
    *,
    key: Callable[[uuid.UUID], Any] = _same,
    visible: Callable[[Principal], Any] | None = None,
) -> None:
    _NODE_TYPES[type_name] = NodeType(model, convert, key, visible)


def global_id(type_name: str, key: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(GlobalId(type_name, key).encode())


def decode_id(value: str, type_name: str, *, field: str) -> uuid.UUID:
    """Decode an input id of the expected type, or raise NOT_FOUND naming the field.

    A malformed id names nothing, like an id of another type or of no stored record.
    """
    try:
        decoded = GlobalId.decode(value)
    except MalformedGlobalId:
        raise NotFound(f"{field} is not a valid id", field=[field]) from None
    if decoded.type_name != type_name:
        raise NotFound(f"{field} does not name a {type_name}", field=[field])
    return decoded.id


def _decode_for_query(value: str) -> GlobalId | None:
    try:
        return GlobalId.decode(value)
    except MalformedGlobalId:
        return None  # names nothing: null, like an unknown id


async def resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    """One statement per type named among `ids`; unknown, malformed or invisible ids give null."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"nodes takes at most {MAX_NODES} ids")
    decoded = [_decode_for_query(value) for value in ids]
    anonymous = info.context.principal is None
    by_type: dict[str, list[uuid.UUID]] = {}
    for item in decoded:
        if item is None:
            continue
        if anonymous and not is_public_type(item.type_name):
            continue  # invisible to anonymous callers: null, like an unknown id
        if item.type_name in _NODE_TYPES:
            by_type.setdefault(item.type_name, []).append(item.id)
    found = await load_nodes(info, by_type, info.selected_fields[0].selections)
    return [found.get((item.type_name, item.id)) if item else None for item in decoded]


async def load_nodes(
    info: Info, by_type: dict[str, list[uuid.UUID]], selections: list[Any]
) -> dict[tuple[str, uuid.UUID], Node]:
    """The objects of registered types by (type name, id): one statement per type, with the
    relations `selections` asks for (fragments on each type) loaded up front."""
    found: dict[tuple[str, uuid.UUID], Node] = {}
    async with info.context.db() as session:
        for type_name, keys in by_type.items():
            node_type = _NODE_TYPES[type_name]
            by_key = {node_type.key(key): key for key in keys}
            options = loader_options(selections, type_name)
            if node_type.visible is not None and info.context.principal is not None:
                # Rows only some callers see (a person's notification channels): the
                # others get null, as for an unknown id.
                options = [
                    *options,
                    with_loader_criteria(
                        node_type.model, node_type.visible(info.context.principal)
                    ),
                ]
            rows = await get_by_ids(session, node_type.model, list(by_key), options)
            for key, row in rows.items():
                found[(type_name, by_key[key])] = node_type.convert(row)
    return found
