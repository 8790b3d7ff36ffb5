"""Who may select what: checked on the whole document before anything runs.

Anonymous callers (where anonymous reads are allowed) see only the public catalog:
scalars of services, teams, business units, shared resources and dependencies, and the
name and kind of Salesforce orgs. Signed-in callers see everything readable, and each
mutation (or sensitive query field) names the role it needs with `requires(...)`;
a mutation that names none is ADMIN-only. Ownership (only the owner team edits a
service) is checked by the domain actions, on the objects themselves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_introspection_type,
    is_leaf_type,
    visit,
)

from identity.principal import Principal, Role

ROLES_KEY = "catalog.roles"

PUBLIC_TYPES = frozenset(
    {
        "Service",
        "Team",
        "BusinessUnit",
        "SharedResource",
        "Dependency",
        "ServiceOrResource",
        "ServiceLinks",
        "BusinessCalendar",
        "WeeklyHours",
        "BackupPolicy",
        "PageInfo",
        "Node",
        # Search: what anonymous callers find is the public catalog (service_levels/search.py).
        "SearchConnection",
        "SearchHit",
        "SearchResult",
        "_Service",
    }
)
# Types of which anonymous callers may see only some fields.
PARTLY_PUBLIC = {"SalesforceOrg": frozenset({"id", "name", "kind"})}
PUBLIC_QUERIES = frozenset(
    {
        "services",
        "service",
        "teams",
        "businessUnits",
        "sharedResources",
        "salesforceOrgs",
        "staleServices",
        "dependencyCycles",
        "node",
        "nodes",
        "viewer",
        "search",
        # The federation subgraph (graphql_schema/federation): entities as `nodes` gives
        # them, and its SDL, which the introspection policy governs (introspection.py).
        "_entities",
        "_service",
    }
)


def requires(*roles: Role) -> Mapping[str, Any]:
    """Field metadata: the roles a caller needs one of to select this field (the least
    role in the hierarchy, or side roles that stand beside it)."""
    return {ROLES_KEY: tuple(roles)}


def is_public_type(name: str) -> bool:
    if name in PUBLIC_TYPES or name in PARTLY_PUBLIC:
        return True
    for suffix in ("Connection", "Edge"):
        if name.endswith(suffix) and name.removesuffix(suffix) in (
            PUBLIC_TYPES | PARTLY_PUBLIC.keys()
        ):
            return True
    return False


def _required_roles(field_def: Any) -> tuple[Role, ...]:
    definition = (field_def.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    roles = metadata.get(ROLES_KEY)
    return roles if isinstance(roles, tuple) else ()


class _AccessVisitor(Visitor):
    def __init__(self, type_info: TypeInfo, principal: Principal | None) -> None:
        super().__init__()
        self.type_info = type_info
        self.principal = principal
        self.error: GraphQLError | None = None

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        parent = self.type_info.get_parent_type()
        field_def = self.type_info.get_field_def()
        if parent is None or field_def is None or node.name.value.startswith("__"):
            return None
        if is_introspection_type(parent):
            return None  # who may introspect is CATALOG_INTROSPECTION's (introspection.py)
        if self.principal is None and parent.name == "Query" and node.name.value == "viewer":
            return self.SKIP  # null for anonymous callers, whatever it selects
        self.error = self._check(parent, node.name.value, field_def)
        return self.BREAK if self.error is not None else None

    def _check(self, parent: GraphQLNamedType, name: str, field_def: Any) -> GraphQLError | None:
        if self.principal is None:
            return _anonymous_check(parent, name, field_def)
        required = _required_roles(field_def)
        if not required and parent.name == "Mutation":
            required = (Role.ADMIN,)
        if required and not any(self.principal.has_role(role) for role in required):
            return _error("FORBIDDEN", f"{name} needs the {' or '.join(required)} role")
        return None


def _anonymous_check(parent: GraphQLNamedType, name: str, field_def: Any) -> GraphQLError | None:
    denied = _error("UNAUTHENTICATED", f"sign in to see {parent.name}.{name}")
    if parent.name == "Query":
        return None if name in PUBLIC_QUERIES else denied
    if parent.name in PARTLY_PUBLIC:
        return None if name in PARTLY_PUBLIC[parent.name] else denied
    if not is_public_type(parent.name):
        return denied
    returned = get_named_type(field_def.type)
    if is_leaf_type(returned) or is_public_type(returned.name):
        return None
    return denied


def _error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def access_error(
    schema: GraphQLSchema,
    document: DocumentNode,
    principal: Principal | None,
    query: str | None = None,
) -> GraphQLError | None:
    """The first field of the document the principal may not select, as an error.

    The answer depends only on the document and the caller's granted roles, so with the
    query's text it is remembered (per schema, for the most recent DECISIONS_KEPT texts and
    role sets): a frontend sends the same few documents again and again.
    """
    if query is None:
        return _visit(schema, document, principal)
    decisions = _decisions.setdefault(schema, OrderedDict())
    key = (query, principal.granted_roles if principal is not None else None)
    if key in decisions:
        decisions.move_to_end(key)
    else:
        found = _visit(schema, document, principal)
        code = (found.extensions or {}).get("code") if found is not None else None
        decisions[key] = None if found is None else (str(code), found.message)
        if len(decisions) > DECISIONS_KEPT:
            decisions.popitem(last=False)
    decided = decisions[key]
    # A fresh error each time: responses never share an error object.
    return None if decided is None else _error(*decided)


DECISIONS_KEPT = 1024
_Decisions = OrderedDict[tuple[str, frozenset[Role] | None], tuple[str, str] | None]
_decisions: WeakKeyDictionary[GraphQLSchema, _Decisions] = WeakKeyDictionary()


def _visit(
    schema: GraphQLSchema, document: DocumentNode, principal: Principal | None
) -> GraphQLError | None:
    type_info = TypeInfo(schema)
    visitor = _AccessVisitor(type_info, principal)
    visit(document, TypeInfoVisitor(type_info, visitor))
    return visitor.error
