"""The subgraph's entities: the public schema's own types, seen with their `@key`s.

The public schema must not carry federation directives (its SDL is a contract), so the
types keep theirs out of their definitions. The subgraph is built with a stand-in for
each entity, a copy of its definition that adds the keys; converted first, the copy is
the type the subgraph prints and serves wherever the original is named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final

from graphql import GraphQLResolveInfo
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.unset import UNSET

from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.services.types import Service
from graphql_schema.identity.types import Person, Team

# Each entity's keys, in the order the subgraph declares them.
ENTITY_KEYS: Final[dict[type, tuple[str, ...]]] = {
    Service: ("id", "slug"),
    Team: ("id",),
    Person: ("id",),
    SalesforceOrg: ("id",),
}
ENTITY_NAMES: Final = frozenset(
    origin.__strawberry_definition__.name  # type: ignore[attr-defined]
    for origin in ENTITY_KEYS
)


@dataclasses.dataclass(eq=False)
class EntityDefinition(StrawberryObjectDefinition):
    """An entity's definition in the subgraph, standing for the original type's."""

    stands_for: type | None = None

    def is_implemented_by(self, root: Any) -> bool:
        # Strawberry resolves a union member by its definition: the original's objects are
        # this type's (else `SearchResult` or `_Entity` would try each member's is_type_of).
        return (self.stands_for is not None and isinstance(root, self.stands_for)) or (
            super().is_implemented_by(root)
        )


def _instance_check(origin: type) -> Callable[[Any, GraphQLResolveInfo[Any]], bool]:
    """Exactly the objects of `origin` (the default would take any object of its
    interfaces, as the stand-in is no class of the objects)."""

    def is_type_of(obj: Any, _info: GraphQLResolveInfo[Any]) -> bool:
        return get_strawberry_type_cast(obj) is origin or isinstance(obj, origin)

    return is_type_of


def keyed(origin: type, keys: tuple[str, ...]) -> type:
    """A stand-in for `origin` whose definition adds `@key(fields: ...)` for each key.

    It takes the original's module and qualified name: Strawberry accepts two
    definitions of one name when their origins are alike by those (a module imported
    again), and takes the first one converted for both."""
    definition: StrawberryObjectDefinition = origin.__strawberry_definition__  # type: ignore[attr-defined]
    stand_in = type(
        definition.name,
        (),
        {"__module__": origin.__module__, "__qualname__": origin.__qualname__},
    )
    values = {
        field.name: getattr(definition, field.name) for field in dataclasses.fields(definition)
    }
    stand_in.__strawberry_definition__ = EntityDefinition(  # type: ignore[attr-defined]
        **{
            **values,
            "origin": stand_in,
            "fields": list(definition.fields),  # its own list: __post_init__ edits it
            "directives": [
                *(definition.directives or ()),
                *(Key(fields=FieldSet(key), resolvable=UNSET) for key in keys),
            ],
            "is_type_of": definition.is_type_of or _instance_check(origin),
        },
        stands_for=origin,
    )
    return stand_in


def entity_types() -> list[type]:
    """The stand-ins, to be converted before anything reaches the originals."""
    return [keyed(origin, keys) for origin, keys in ENTITY_KEYS.items()]


__all__ = ["ENTITY_KEYS", "ENTITY_NAMES", "EntityDefinition", "entity_types", "keyed"]
