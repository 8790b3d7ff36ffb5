"""What an operation would fetch, estimated from its document before it runs.

The cost counts the objects an operation fetches, like GitHub's node count: scalars and
enums are free, `__typename` too. Each object costs 1, times the items of every list it
sits in. A connection (a field taking `first`/`last`) costs 1 for its fetch, and its
`edges`/`nodes` are the page asked for (or the default page size); an edge and `pageInfo`
cost nothing of their own. A plain list is sized by what the schema knows of it
(`list_sizes.py`), by its slicing argument, or by the number of `ids` (or the subgraph's
`representations`) it is given. Fragments are expanded (each once per place: their cost
is kept), and every branch of a type condition counts, so the estimate is an upper
bound. Introspection reads the schema, not the data: `__schema` and `__type` cost 1
whatever they select.

Arguments given as variables are read from the request's variables, then from the
operation's defaults. The same walk lists every page size asked for, so that pages over
the cap are refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    ValueNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from core.pagination import DEFAULT_PAGE_SIZE
from graphql_schema.list_sizes import list_size

# A plain list nobody sized (the schema test keeps there being none).
DEFAULT_LIST_SIZE = 10
PAGE_ARGUMENTS = ("first", "last")
# The arguments listing one item each of a plain list: `nodes(ids:)`, the federation
# subgraph's `_entities(representations:)`.
ITEM_ARGUMENTS = ("ids", "representations")
# The lists of a connection that are its page.
PAGE_FIELDS = ("edges", "nodes")

ListSizes = Callable[[str, str], int | None]


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
    sizes: ListSizes = list_size,
) -> Estimate:
    """The cost of `operation` and the page sizes it asks for."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, operation_variables(operation, variables), sizes)
    root = schema.get_root_type(operation.operation)
    cost = walk.selection_set(operation.selection_set, root)
    return Estimate(cost=cost, pages=walk.pages)


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    sizes: ListSizes
    pages: list[PageAsked] = field(default_factory=list)
    # The page of the connection whose selection is being walked.
    _page: int = 1
    _fragment_costs: dict[tuple[str, int], int] = field(default_factory=dict)
    _open_fragments: set[str] = field(default_factory=set)

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
        key = (name, self._page)
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
        if node.selection_set is None or definition is None:
            return 0  # scalars and enums are free; unknown fields are refused by validation
        if definition in (SchemaMetaFieldDef, TypeMetaFieldDef):
            return 1
        returned = get_named_type(definition.type)
        if _is_connection(returned):
            outer, self._page = self._page, self._page_size(node, definition)
            try:
                return 1 + self.selection_set(node.selection_set, returned)
            finally:
                self._page = outer
        items = self._items(node, definition, parent)
        outer, self._page = self._page, 1
        try:
            inner = self.selection_set(node.selection_set, returned)
        finally:
            self._page = outer
        own = 0 if _is_structural(returned) else 1
        return items * (own + inner)

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

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        sizes = self._slices(node, definition)
        return max(sizes) if sizes else DEFAULT_PAGE_SIZE

    def _slices(self, node: FieldNode, definition: GraphQLField) -> list[int]:
        """The `first`/`last` sizes asked for (each noted, for the page cap)."""
        arguments = _arguments(node)
        sizes = []
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            size = self._value(arguments.get(name))
            if isinstance(size, int) and not isinstance(size, bool):
                self.pages.append(PageAsked(node, name, size))
                sizes.append(max(size, 0))
        return sizes

    def _items(
        self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType | None
    ) -> int:
        """How many objects the field gives for each of its parents."""
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if _is_connection(parent) and node.name.value in PAGE_FIELDS:
            return self._page
        if sliced := self._slices(node, definition):
            return max(sliced)
        for name in ITEM_ARGUMENTS:
            if name in definition.args:
                given = self._value(_arguments(node).get(name))
                if isinstance(given, list):
                    return len(given)
        known = self.sizes(parent.name, node.name.value) if parent is not None else None
        return known if known is not None else DEFAULT_LIST_SIZE

    def _value(self, node: Any) -> Any:
        if node is None:
            return None
        value = value_from_ast_untyped(node, self.variables)
        return None if value is Undefined else value


def _arguments(node: FieldNode) -> dict[str, ValueNode]:
    return {argument.name.value: argument.value for argument in node.arguments or ()}


def _is_connection(named: GraphQLNamedType | None) -> bool:
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= named.fields.keys()


def _is_structural(named: GraphQLNamedType) -> bool:
    """An edge or a page's info: part of the connection's fetch, not an object of its own."""
    if not isinstance(named, GraphQLObjectType):
        return False
    return {"node", "cursor"} <= named.fields.keys() or named.name == "PageInfo"


__all__ = [
    "DEFAULT_LIST_SIZE",
    "Estimate",
    "ListSizes",
    "PageAsked",
    "estimate",
    "operation_variables",
]
