"""A validated query turned into a plan: for each response key, how SQL answers it.

The plan follows the document, fragments merged and `@skip`/`@include` applied (with the
variables' values: a document using them is planned per request), into the declarations of
`declarations.py`. The first field no declaration covers makes the operation not compilable;
the plan then names that field, and the operation is answered by the resolvers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues

from graphql_schema.compiled.declarations import (
    REGISTRY,
    Column,
    Computed,
    Embedded,
    FieldSql,
    GlobalId,
    RawJson,
    Relation,
    RootObject,
    RootPage,
)
from graphql_schema.compiled.deferred import DeferredGroup

# Scalars the SQL formats as the resolvers serialize them (formats.py).
SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID", "DateTime", "Date", "JSON"})
# Scalars a list of which PostgreSQL's to_json writes as Strawberry does.
PLAIN_LIST_SCALARS = frozenset({"String", "Int", "Boolean", "ID"})
PAGE_ARGUMENTS = ("first", "after", "last", "before")


class NotCompilable(Exception):
    """The operation selects something the compiled path cannot answer."""

    def __init__(self, path: tuple[str, ...], reason: str) -> None:
        super().__init__(f"{'.'.join(path)}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Typename:
    name: str


@dataclass(frozen=True)
class Scalar:
    sql: Column | Computed | GlobalId | RawJson
    type_name: str
    enum: type[Enum] | None = None
    is_list: bool = False


@dataclass(frozen=True)
class ObjectPlan:
    type_name: str
    fields: tuple[tuple[str, FieldPlan], ...]


@dataclass(frozen=True)
class EmbeddedPlan:
    sql: Embedded
    object: ObjectPlan


@dataclass(frozen=True)
class RelationPlan:
    sql: Relation
    object: ObjectPlan
    nullable: bool


@dataclass(frozen=True)
class Deferred:
    """A field the resolvers answer for this object: the group of `deferred.py` it is in,
    and how the object's global id is read."""

    group: int
    id: GlobalId


FieldPlan = Typename | Scalar | EmbeddedPlan | RelationPlan | Deferred


@dataclass(frozen=True)
class PageInfoPlan:
    fields: tuple[tuple[str, str], ...]  # response key -> PageInfo field (or __typename)


@dataclass(frozen=True)
class EdgePlan:
    fields: tuple[tuple[str, str | ObjectPlan], ...]  # "cursor", "__typename:<name>", node


@dataclass(frozen=True)
class ConnectionPlan:
    field_name: str
    root: RootPage
    arguments: FieldNode
    definition: GraphQLField
    fields: tuple[tuple[str, Any], ...]  # totalCount/nodes/edges/pageInfo/__typename


@dataclass(frozen=True)
class RootObjectPlan:
    field_name: str
    root: RootObject
    arguments: FieldNode
    definition: GraphQLField
    object: ObjectPlan


RootPlan = Typename | ConnectionPlan | RootObjectPlan


@dataclass(frozen=True)
class Fallback:
    """A root field the resolvers answer: why, and its nodes (to run them alone)."""

    reason: NotCompilable
    nodes: tuple[FieldNode, ...]


@dataclass(frozen=True)
class Plan:
    roots: tuple[tuple[str, RootPlan | Fallback], ...]
    # Why the whole operation is answered by the resolvers, when it is.
    not_compilable: NotCompilable | None = None
    # Fields inside compiled objects that the resolvers answer, by group.
    deferred: tuple[DeferredGroup, ...] = ()

    @cached_property
    def compiled(self) -> tuple[tuple[str, RootPlan], ...]:
        return tuple((key, root) for key, root in self.roots if not isinstance(root, Fallback))

    @cached_property
    def fallbacks(self) -> tuple[tuple[str, Fallback], ...]:
        return tuple((key, root) for key, root in self.roots if isinstance(root, Fallback))

    @cached_property
    def reads_database(self) -> bool:
        return any(not isinstance(root, Typename) for _, root in self.compiled)


def plan_operation(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: VariableValues,
) -> Plan:
    """The plan of a query operation (mutations and subscriptions are never compiled)."""
    try:
        if operation.operation is not OperationType.QUERY:
            raise NotCompilable((), f"a {operation.operation.value} is not a read")
        if any(fragment.variable_definitions for fragment in fragments.values()):
            raise NotCompilable((), "fragment variables")
        planner = _Planner(schema, fragments, operation, variables)
        roots = planner.roots()
    except NotCompilable as reason:
        return Plan((), not_compilable=reason)
    if all(isinstance(root, Fallback) for _, root in roots):
        first = next(root for _, root in roots if isinstance(root, Fallback))
        return Plan((), not_compilable=first.reason)
    return Plan(roots, deferred=tuple(planner.deferred))


class _Planner:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = {name: FragmentDetails(node) for name, node in fragments.items()}
        self.operation = operation
        self.variables = variables
        self.deferred: list[DeferredGroup] = []

    def roots(self) -> tuple[tuple[str, RootPlan | Fallback], ...]:
        query = self.schema.query_type
        assert query is not None
        collected = collect_fields(
            self.schema, self.fragments, self.variables, query, self.operation
        )
        self._check_conditions(collected)
        plans: list[tuple[str, RootPlan | Fallback]] = []
        for key, details in collected.grouped_field_set.items():
            groups = len(self.deferred)
            try:
                plans.append((key, self._root(key, details, query)))
            except NotCompilable as reason:
                del self.deferred[groups:]
                plans.append((key, Fallback(reason, tuple(detail.node for detail in details))))
        return tuple(plans)

    def _check_conditions(self, collected: Any) -> None:
        if collected.new_defer_usages:
            raise NotCompilable((), "@defer")

    def _root(self, key: str, details: FieldDetailsList, query: GraphQLObjectType) -> RootPlan:
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            return Typename(query.name)
        definition = query.fields.get(name)
        declared = REGISTRY.roots.get(name)
        if definition is None or declared is None:
            raise NotCompilable((key,), f"Query.{name} has no SQL declaration")
        returned = _unwrap_non_null(definition.type)
        if isinstance(declared, RootPage):
            assert isinstance(returned, GraphQLObjectType)
            return ConnectionPlan(
                name,
                declared,
                node,
                definition,
                self._connection((key,), returned, details, declared),
            )
        assert isinstance(returned, GraphQLObjectType)
        return RootObjectPlan(
            name,
            declared,
            node,
            definition,
            self._object((key,), returned, details),
        )

    def _subfields(
        self, type_: GraphQLObjectType, details: FieldDetailsList
    ) -> dict[str, FieldDetailsList]:
        collected = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, type_, details
        )
        self._check_conditions(collected)
        return collected.grouped_field_set

    def _connection(
        self,
        path: tuple[str, ...],
        connection: GraphQLObjectType,
        details: FieldDetailsList,
        root: RootPage,
    ) -> tuple[tuple[str, Any], ...]:
        fields: list[tuple[str, Any]] = []
        for key, sub in self._subfields(connection, details).items():
            name = sub[0].node.name.value
            where = (*path, key)
            if name == "__typename":
                fields.append((key, Typename(connection.name)))
            elif name == "totalCount":
                fields.append((key, "totalCount"))
            elif name == "pageInfo":
                page_info = _unwrap_non_null(connection.fields[name].type)
                assert isinstance(page_info, GraphQLObjectType)
                fields.append((key, self._page_info(page_info, sub)))
            elif name == "nodes":
                node_type = get_named_type(connection.fields[name].type)
                assert isinstance(node_type, GraphQLObjectType)
                fields.append((key, ("nodes", self._object(where, node_type, sub))))
            elif name == "edges":
                edge = get_named_type(connection.fields[name].type)
                assert isinstance(edge, GraphQLObjectType)
                fields.append((key, self._edge(where, edge, sub)))
            else:
                raise NotCompilable(where, f"{connection.name}.{name} has no SQL declaration")
        return tuple(fields)

    def _page_info(self, page_info: GraphQLObjectType, details: FieldDetailsList) -> PageInfoPlan:
        fields = []
        for key, sub in self._subfields(page_info, details).items():
            name = sub[0].node.name.value
            fields.append((key, f"__typename:{page_info.name}" if name == "__typename" else name))
        return PageInfoPlan(tuple(fields))

    def _edge(
        self, path: tuple[str, ...], edge: GraphQLObjectType, details: FieldDetailsList
    ) -> EdgePlan:
        fields: list[tuple[str, str | ObjectPlan]] = []
        for key, sub in self._subfields(edge, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                fields.append((key, f"__typename:{edge.name}"))
            elif name == "cursor":
                fields.append((key, "cursor"))
            else:
                node_type = _unwrap_non_null(edge.fields[name].type)
                assert isinstance(node_type, GraphQLObjectType)
                fields.append((key, self._object((*path, key), node_type, sub)))
        return EdgePlan(tuple(fields))

    def _object(
        self, path: tuple[str, ...], type_: GraphQLObjectType, details: FieldDetailsList
    ) -> ObjectPlan:
        declared = REGISTRY.types.get(type_.name)
        if declared is None:
            raise NotCompilable(path, f"{type_.name} has no SQL declaration")
        fields: list[tuple[str, FieldPlan]] = []
        for key, sub in self._subfields(type_, details).items():
            name = sub[0].node.name.value
            where = (*path, key)
            if name == "__typename":
                fields.append((key, Typename(type_.name)))
                continue
            definition = type_.fields[name]
            sql = declared.get(name)
            if sql is None or definition.args:
                nullable = not isinstance(definition.type, GraphQLNonNull)
                fields.append((key, self._deferred(where, type_.name, key, sub, nullable)))
                continue
            fields.append((key, self._field(where, definition.type, sql, sub)))
        return ObjectPlan(type_.name, tuple(fields))

    def _deferred(
        self,
        path: tuple[str, ...],
        type_name: str,
        key: str,
        details: FieldDetailsList,
        nullable: bool,
    ) -> Deferred:
        """A field for the resolvers, on an object they can find again by its global id."""
        id_sql = REGISTRY.types[type_name].get("id")
        if not isinstance(id_sql, GlobalId):
            raise NotCompilable(path, f"{type_name} has no global id to resolve {key} by")
        nodes = tuple(detail.node for detail in details)
        self.deferred.append(DeferredGroup(type_name, key, nodes, path, nullable))
        return Deferred(len(self.deferred) - 1, id_sql)

    def _field(
        self,
        path: tuple[str, ...],
        output: GraphQLOutputType,
        sql: FieldSql,
        details: FieldDetailsList,
    ) -> FieldPlan:
        nullable = not isinstance(output, GraphQLNonNull)
        inner = _unwrap_non_null(output)
        is_list = isinstance(inner, GraphQLList)
        named = get_named_type(output)
        if isinstance(sql, Embedded):
            assert isinstance(named, GraphQLObjectType)
            return EmbeddedPlan(sql, self._object(path, named, details))
        if isinstance(sql, Relation):
            if not isinstance(named, GraphQLObjectType) or is_list != sql.many:
                raise NotCompilable(path, "the relation does not match the field's type")
            return RelationPlan(sql, self._object(path, named, details), nullable)
        if isinstance(named, GraphQLEnumType):
            if is_list:
                raise NotCompilable(path, "a list of enum values")
            return Scalar(sql, named.name, enum=_python_enum(named))
        if not isinstance(named, GraphQLScalarType) or named.name not in SCALARS:
            raise NotCompilable(path, f"values of {named.name} are not formatted in SQL")
        if is_list and named.name not in PLAIN_LIST_SCALARS and not isinstance(sql, RawJson):
            raise NotCompilable(path, f"a list of {named.name}")
        return Scalar(sql, named.name, is_list=is_list)


def _unwrap_non_null(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _python_enum(enum: GraphQLEnumType) -> type[Enum] | None:
    definition = (enum.extensions or {}).get("strawberry-definition")
    wrapped = getattr(definition, "wrapped_cls", None)
    return wrapped if isinstance(wrapped, type) and issubclass(wrapped, Enum) else None


__all__ = [
    "ConnectionPlan",
    "Deferred",
    "EdgePlan",
    "EmbeddedPlan",
    "Fallback",
    "NotCompilable",
    "ObjectPlan",
    "PageInfoPlan",
    "Plan",
    "RelationPlan",
    "RootObjectPlan",
    "Scalar",
    "Typename",
    "plan_operation",
]
