"""What an operation would cost to run, estimated from its document before it runs.

Each selected field costs 1. A connection (a field taking `first`/`last`) multiplies the
cost of its selection by the page size asked for, or by the default page size; the
`edges` and `nodes` inside it are that page, not another multiplication. Any other list
of objects multiplies its selection by the number of `ids` it is given, else by
`DEFAULT_LIST_SIZE`. Fragments are expanded (each once: their cost is kept), and every
branch of a type condition counts, so the estimate is an upper bound. Introspection reads
the schema, not the data: its lists are not multiplied (GraphiQL's query must pass).

Arguments given as variables are read from the request's variables, then from the
operation's defaults. The same walk lists every page size asked for, so that pages over
the cap are refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from core.pagination import DEFAULT_PAGE_SIZE

DEFAULT_LIST_SIZE = 10
PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class PageAsked:
    """A `first` or `last` argument and the page size it resolved to."""

    field: FieldNode
    argument: str
    size: int


@dataclass(frozen=True)
class Estimate:
    cost: int
    pages: list[PageAsked]


def operation_variables(
    operation: OperationDefinitionNode, provided: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The request's variables, completed by the defaults the operation declares."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if provided is not None and name in provided:
            values[name] = provided[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> Estimate:
    """The cost of `operation` and the page sizes it asks for."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, operation_variables(operation, variables))
    root = schema.get_root_type(operation.operation)
    cost = walk.selection_set(operation.selection_set, root)
    return Estimate(cost=cost, pages=walk.pages)


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    pages: list[PageAsked] = field(default_factory=list)
    _fragment_costs: dict[tuple[str, bool], int] = field(default_factory=dict)
    _open_fragments: set[str] = field(default_factory=set)
    _introspecting: bool = False

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, scope)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        key = (name, self._introspecting)
        if key in self._fragment_costs:
            return self._fragment_costs[key]
        definition = self.fragments.get(name)
        if definition is None or name in self._open_fragments:
            return 0  # unknown fragments and cycles are refused by validation
        self._open_fragments.add(name)
        scope = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selection_set(definition.selection_set, scope)
        self._open_fragments.discard(name)
        self._fragment_costs[key] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        definition = self._definition(node.name.value, parent)
        multiplier = self._multiplier(node, definition, parent)
        if node.selection_set is None:
            return 1
        returned = get_named_type(definition.type) if definition is not None else None
        if definition in (SchemaMetaFieldDef, TypeMetaFieldDef) and not self._introspecting:
            self._introspecting = True
            try:
                return 1 + self.selection_set(node.selection_set, returned)
            finally:
                self._introspecting = False
        return 1 + multiplier * self.selection_set(node.selection_set, returned)

    def _definition(self, name: str, parent: GraphQLNamedType | None) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is not None and parent is self.schema.get_root_type(OperationType.QUERY):
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _multiplier(
        self, node: FieldNode, definition: GraphQLField | None, parent: GraphQLNamedType | None
    ) -> int:
        if definition is None or self._introspecting:
            return 1
        arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
        if any(name in definition.args for name in PAGE_ARGUMENTS):
            sizes = []
            for name in PAGE_ARGUMENTS:
                size = self._value(arguments.get(name))
                if isinstance(size, int) and not isinstance(size, bool):
                    self.pages.append(PageAsked(node, name, size))
                    sizes.append(max(size, 0))
            return max(sizes) if sizes else DEFAULT_PAGE_SIZE
        if not is_list_type(get_nullable_type(definition.type)) or _is_connection(parent):
            return 1
        ids = self._value(arguments.get("ids"))
        return len(ids) if isinstance(ids, list) else DEFAULT_LIST_SIZE

    def _value(self, node: Any) -> Any:
        if node is None:
            return None
        value = value_from_ast_untyped(node, self.variables)
        return None if value is Undefined else value


def _is_connection(parent: GraphQLNamedType | None) -> bool:
    return isinstance(parent, GraphQLObjectType) and {"edges", "pageInfo"} <= parent.fields.keys()


__all__ = ["DEFAULT_LIST_SIZE", "Estimate", "PageAsked", "estimate", "operation_variables"]
