"""`_entities(representations:)`: the objects a router names by key, in batches.

Representations keyed by `id` (the global id, as `node` takes it) go through
`resolve_nodes` together: one statement per type, under the same rules (an unknown id,
an id of another type or one an anonymous caller may not see gives null). Services keyed
by `slug` are one more statement. A representation that names no entity or lacks its
key is an error at its own index; the others still resolve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import strawberry

from catalog.services.repository import by_slugs
from core.ids import GlobalId, MalformedGlobalId
from graphql_schema.access import is_public_type
from graphql_schema.catalog.services.types import Service
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.federation.entities import ENTITY_KEYS, ENTITY_NAMES
from graphql_schema.node import MAX_NODES, Node, resolve_nodes
from graphql_schema.prefetch import loader_options

SERVICE = "Service"
KEYS_BY_NAME = {
    origin.__strawberry_definition__.name: keys  # type: ignore[attr-defined]
    for origin, keys in ENTITY_KEYS.items()
}


@dataclass(frozen=True)
class Reference:
    """One representation: the entity type it names and the key it names it by."""

    type_name: str
    key: str
    value: str


def parse(index: int, representation: object) -> Reference | BadUserInput:
    """The reference a representation makes, or the error saying why it makes none."""
    where = f"representations[{index}]"
    if not isinstance(representation, Mapping):
        return BadUserInput(f"{where} must be an object with __typename and a key")
    type_name = representation.get("__typename")
    if not isinstance(type_name, str) or type_name not in ENTITY_NAMES:
        names = ", ".join(sorted(ENTITY_NAMES))
        return BadUserInput(f"{where}: __typename must name an entity ({names})")
    keys = KEYS_BY_NAME[type_name]
    for key in keys:
        value = representation.get(key)
        if isinstance(value, str):
            return Reference(type_name, key, value)
        if value is not None:
            return BadUserInput(f"{where}: {type_name}.{key} must be a string")
    return BadUserInput(f"{where}: a {type_name} is named by {' or '.join(keys)}")


def _names_its_type(reference: Reference) -> bool:
    try:
        return GlobalId.decode(reference.value).type_name == reference.type_name
    except MalformedGlobalId:
        return False  # names nothing: null, like an unknown id


async def _services_by_slug(info: Info, slugs: list[str]) -> dict[str, Service]:
    if not slugs or (info.context.principal is None and not is_public_type(SERVICE)):
        return {}
    options = loader_options(info.selected_fields[0].selections, SERVICE)
    async with info.context.db() as session:
        rows = await by_slugs(session, slugs, options)
    return {row.slug: Service.from_model(row) for row in rows}


async def resolve_entities(
    info: Info, representations: Sequence[object]
) -> list[Node | BadUserInput | None]:
    """The entities `representations` name, in their order."""
    if len(representations) > MAX_NODES:
        raise BadUserInput(f"_entities takes at most {MAX_NODES} representations")
    parsed = [parse(index, item) for index, item in enumerate(representations)]
    references = [item for item in parsed if isinstance(item, Reference)]
    # Only ids of the type named: a Team's id given as a Service's names no Service.
    typed = [item for item in references if item.key == "id" and _names_its_type(item)]
    ids = [strawberry.ID(item.value) for item in typed]
    nodes = await resolve_nodes(info, ids) if ids else []
    by_id = {(item.type_name, item.value): node for item, node in zip(typed, nodes, strict=True)}
    by_slug = await _services_by_slug(
        info, [item.value for item in references if item.key == "slug"]
    )
    found: list[Node | BadUserInput | None] = []
    for item in parsed:
        if isinstance(item, BadUserInput):
            found.append(item)
        elif item.key == "id":
            found.append(by_id.get((item.type_name, item.value)))
        else:
            found.append(by_slug.get(item.value))
    return found


__all__ = ["Reference", "parse", "resolve_entities"]
