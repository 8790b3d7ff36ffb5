"""A plan and the request's arguments made into one SQL statement: the response's `data`.

Every object is a `json_build_object` (keys in the order selected), every relation a
correlated subquery (`json_agg … ORDER BY` for lists), every connection a keyset page of the
same statement its resolver pages over, with the same cursors. Arguments and the clock are
bound parameters; nothing of the request is written into the SQL text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import reduce
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLField
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    null,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON, aggregate_order_by
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from core.pagination import (
    PageRequest,
    PageStatement,
    count_statement,
    cursor_parameters,
    page_stamp,
    page_statement,
    written_in,
)
from graphql_schema.compiled import formats
from graphql_schema.compiled.declarations import (
    NOW,
    TODAY,
    Column,
    GlobalId,
    PageSource,
    Parameters,
    RawJson,
    clock_parameter,
    today_parameter,
)
from graphql_schema.compiled.deferred import GROUP, MARKER
from graphql_schema.compiled.planner import (
    PAGE_ARGUMENTS,
    ConnectionPlan,
    Deferred,
    EdgePlan,
    EmbeddedPlan,
    ObjectPlan,
    PageInfoPlan,
    Plan,
    RelationPlan,
    RootObjectPlan,
    Scalar,
    Typename,
)

# json_build_object takes at most 100 arguments: a larger object is written as text.
MAX_BUILT_KEYS = 50


class ArgumentsRefused(Exception):
    """The arguments fail a rule the resolver reports (a page too large, a foreign cursor):
    the resolvers answer, with their error."""


@dataclass(frozen=True)
class Prepared:
    """A plan with this request's arguments: the statement's shape (what its SQL text depends
    on), the values of its bound parameters, and how to build it when its shape is new."""

    shape: tuple[Any, ...]
    values: dict[str, Any]
    build: Callable[[], Select[Any]]


@dataclass(frozen=True)
class _Root:
    shape: tuple[Any, ...]
    values: dict[str, Any]
    build: Callable[[], ColumnElement[Any]]


def prepare(
    plan: Plan,
    schema: strawberry.Schema,
    variables: VariableValues,
    now: datetime,
    sources: MutableMapping[tuple[str, str], tuple[PageSource, str]] | None = None,
) -> Prepared:
    """The statement whose one row, one column is the `data` of the response, as JSON text.

    `sources` keeps each page's source per arguments across requests (CompiledCaches)."""
    builder = _Builder(schema, variables, {} if sources is None else sources)
    roots = [(key, builder.root(index, root)) for index, (key, root) in enumerate(plan.compiled)]
    values: dict[str, Any] = {NOW: now, TODAY: now.date()}
    for _, root in roots:
        values |= root.values

    def build() -> Select[Any]:
        return select(cast(_json_object([(key, root.build()) for key, root in roots]), Text))

    return Prepared(tuple(root.shape for _, root in roots), values, build)


class _Builder:
    def __init__(
        self,
        schema: strawberry.Schema,
        variables: VariableValues,
        sources: MutableMapping[tuple[str, str], tuple[PageSource, str]],
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.sources = sources
        self.parameters = Parameters(now=clock_parameter(), today=today_parameter())

    def root(self, index: int, plan: Typename | ConnectionPlan | RootObjectPlan) -> _Root:
        if isinstance(plan, Typename):
            return _Root(("typename",), {}, lambda: formats.sql_text(plan.name))
        if isinstance(plan, RootObjectPlan):
            return self._root_object(index, plan)
        return self._connection(index, plan)

    def _root_object(self, index: int, plan: RootObjectPlan) -> _Root:
        arguments = self._arguments(plan.definition, plan.arguments)
        values: dict[str, Any] = {}
        given: dict[str, Any] = {}
        fixed: list[tuple[str, str]] = []
        for name, value in arguments.items():
            if isinstance(value, (str, int, float, uuid.UUID)) and not isinstance(value, Enum):
                bind = f"r{index}_{name}"
                values[bind] = value
                given[name] = bindparam(bind, value)
            else:
                given[name] = value
                fixed.append((name, repr(value)))

        def build() -> ColumnElement[Any]:
            rows = plan.root.statement(**given).subquery()
            built = self.object(plan.object, rows)
            return select(built).select_from(rows).limit(1).scalar_subquery()

        shape = ("object", plan.field_name, tuple(sorted(given)), tuple(fixed))
        return _Root(shape, values, build)

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (Strawberry's conversion)."""
        raw = get_argument_values(definition, node, self.variables)
        field = (definition.extensions or {}).get("strawberry-definition")
        assert isinstance(field, StrawberryField)
        return convert_arguments(
            raw,
            field.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
        )

    def _connection(self, index: int, plan: ConnectionPlan) -> _Root:
        arguments = self._arguments(plan.definition, plan.arguments)
        request = PageRequest(**{name: arguments.pop(name, None) for name in PAGE_ARGUMENTS})
        described = repr(sorted(arguments.items()))
        bind_name = f"r{index}"
        try:
            source, stamp = self._source(plan, arguments, described)
            limit = request.limit()
            values = cursor_parameters(
                request, stamp=stamp, order=source.order, bind_name=bind_name
            )
        except Exception as error:
            raise ArgumentsRefused(str(error)) from error

        def build() -> ColumnElement[Any]:
            page = page_statement(
                source.statement,
                order=source.order,
                request=request,
                fingerprint_parts=_stamped_parts(plan, source),
                bind_name=bind_name,
            )
            return self._page(plan, source, page, request)

        shape = (
            "page",
            plan.field_name,
            described,
            limit,
            request.after is not None,
            request.before is not None,
            request.backwards,
        )
        return _Root(shape, values, build)

    def _source(
        self, plan: ConnectionPlan, arguments: dict[str, Any], described: str
    ) -> tuple[PageSource, str]:
        """What the page reads for these arguments, and its cursors' stamp: made once for the
        same arguments (the SQL of a kept statement depends on nothing else)."""
        key = (plan.field_name, described)
        known = self.sources.get(key)
        if known is None:
            source = plan.root.source(**arguments)
            known = self.sources[key] = (
                source,
                page_stamp(source.order, _stamped_parts(plan, source)),
            )
        return known

    def _page(
        self, plan: ConnectionPlan, source: PageSource, page: PageStatement, request: PageRequest
    ) -> ColumnElement[Any]:
        position = func.row_number().over(order_by=page.ordering).label("_n")
        columns: list[ColumnElement[Any]] = [position]
        if _selects_cursors(plan):
            # Each row's cursor made once, beside its position, for its edge and pageInfo.
            order = source.order
            stamp = bindparam(None, page.stamp, type_=String)
            made = formats.cursor(
                stamp,
                order.column.expression,
                order.id_column.expression,
                _python_type(order.column),
                _python_type(order.id_column),
            )
            columns.append(made.label("_cursor"))
        rows = page.statement.add_columns(*columns).subquery()
        on_page = rows.c._n <= written_in(page.limit)
        # The client sees the page in the order asked; a backward page was read in reverse.
        shown = rows.c._n.desc() if request.backwards else rows.c._n.asc()
        reverse = rows.c._n.asc() if request.backwards else rows.c._n.desc()

        def cursor() -> ColumnElement[Any]:
            return rows.c._cursor

        more = func.count() > written_in(page.limit)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for response_key, part in plan.fields:
            if isinstance(part, Typename):
                pairs.append((response_key, formats.sql_text(part.name)))
            elif part == "totalCount":
                counted = count_statement(source.statement).scalar_subquery()
                pairs.append((response_key, counted))
            elif isinstance(part, PageInfoPlan):
                ends = (shown, reverse, on_page)
                info = self._page_info(part, request, more, cursor(), ends)
                pairs.append((response_key, info))
            elif isinstance(part, EdgePlan):
                edge = self._edge(part, rows, cursor)
                pairs.append((response_key, _aggregate(edge, shown, on_page)))
            else:
                _, node = part
                pairs.append((response_key, _aggregate(self.object(node, rows), shown, on_page)))
        built = select(_json_object(pairs))
        # Without edges, nodes or pageInfo nothing aggregates the page: one row, no FROM.
        if any(isinstance(part, (EdgePlan, PageInfoPlan, tuple)) for _, part in plan.fields):
            built = built.select_from(rows)
        return built.scalar_subquery()

    def _page_info(
        self,
        plan: PageInfoPlan,
        request: PageRequest,
        more: ColumnElement[bool],
        cursor: ColumnElement[Any],
        order: tuple[Any, Any, Any],
    ) -> ColumnElement[Any]:
        if request.backwards:
            has_previous, has_next = more, _flag(request.before is not None)
        else:
            has_next, has_previous = more, _flag(request.after is not None)
        first, last = _ends(cursor, *order)
        values = {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": first,
            "endCursor": last,
        }
        pairs = [
            (
                key,
                formats.sql_text(name.partition(":")[2])
                if name.startswith("__typename:")
                else values[name],
            )
            for key, name in plan.fields
        ]
        return _json_object(pairs)

    def _edge(self, plan: EdgePlan, rows: FromClause, cursor: Any) -> ColumnElement[Any]:
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, part in plan.fields:
            if isinstance(part, ObjectPlan):
                pairs.append((key, self.object(part, rows)))
            elif part == "cursor":
                pairs.append((key, cursor()))
            else:
                pairs.append((key, formats.sql_text(part.partition(":")[2])))
        return _json_object(pairs)

    def object(self, plan: ObjectPlan, source: FromClause) -> ColumnElement[Any]:
        return _json_object([(key, self.value(part, source)) for key, part in plan.fields])

    def value(
        self, plan: Typename | Scalar | EmbeddedPlan | RelationPlan | Deferred, source: FromClause
    ) -> ColumnElement[Any]:
        if isinstance(plan, Typename):
            return formats.sql_text(plan.name)
        if isinstance(plan, Deferred):
            # The object's id, for the resolvers to answer the field by (deferred.py).
            marker = [(MARKER, self._scalar(Scalar(plan.id, "ID"), source))]
            return _json_object([*marker, (GROUP, literal_column(str(plan.group)))])
        if isinstance(plan, Scalar):
            return self._scalar(plan, source)
        if isinstance(plan, EmbeddedPlan):
            built = self.object(plan.object, source)
            if plan.sql.present is None:
                return built
            return case((plan.sql.present(source, self.parameters), built), else_=null())
        return self._relation(plan, source)

    def _scalar(self, plan: Scalar, source: FromClause) -> ColumnElement[Any]:
        sql = plan.sql
        if isinstance(sql, GlobalId):
            return formats.global_id(sql.type_name, source.c[sql.column])
        if isinstance(sql, RawJson):
            return sql.build(source, self.parameters)
        value = (
            source.c[sql.name] if isinstance(sql, Column) else sql.build(source, self.parameters)
        )
        if plan.enum is not None:
            return formats.enum_name(value, plan.enum)
        if plan.type_name == "DateTime":
            return formats.iso_datetime(value)
        if plan.type_name == "Date":
            return formats.iso_date(value)
        if plan.type_name == "Float":
            return formats.float_json(value)
        if plan.type_name == "ID" and not plan.is_list:
            return cast(value, Text)
        return value

    def _relation(self, plan: RelationPlan, source: FromClause) -> ColumnElement[Any]:
        rows = plan.sql.rows(source, self.parameters)
        built = self.object(plan.object, rows.source)
        if plan.sql.many:
            aggregated = func.json_agg(
                aggregate_order_by(built, *rows.order_by) if rows.order_by else built
            )
            value: ColumnElement[Any] = func.coalesce(aggregated, formats.empty_json_array())
        else:
            value = built
        statement = select(value).select_from(rows.from_ if rows.from_ is not None else rows.source)
        statement = statement.where(rows.where)
        if not plan.sql.many:
            statement = statement.limit(1)
        return statement.scalar_subquery()


def _stamped_parts(plan: ConnectionPlan, source: PageSource) -> list[Any]:
    return [plan.field_name, source.type_name, *source.fingerprint_parts]


def _selects_cursors(plan: ConnectionPlan) -> bool:
    for _, part in plan.fields:
        if isinstance(part, EdgePlan) and any(name == "cursor" for _, name in part.fields):
            return True
        if isinstance(part, PageInfoPlan) and any(
            name in ("startCursor", "endCursor") for _, name in part.fields
        ):
            return True
    return False


def _json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(pairs) <= MAX_BUILT_KEYS:
        arguments: list[ColumnElement[Any]] = []
        for key, value in pairs:
            arguments += [formats.sql_text(key), value]
        return func.json_build_object(*arguments, type_=JSON)
    parts: list[ColumnElement[Any]] = []
    for index, (key, value) in enumerate(pairs):
        parts += [
            formats.sql_text(("{" if index == 0 else ",") + json.dumps(key) + ":"),
            formats.json_text(value),
        ]
    parts.append(formats.sql_text("}"))
    return cast(reduce(lambda left, right: left + right, parts), JSON)


def _aggregate(value: ColumnElement[Any], shown: Any, on_page: Any) -> ColumnElement[Any]:
    aggregated = func.json_agg(aggregate_order_by(value, shown)).filter(on_page)
    return func.coalesce(aggregated, formats.empty_json_array())


def _ends(cursor: ColumnElement[Any], shown: Any, reverse: Any, on_page: Any) -> tuple[Any, Any]:
    """The first and the last cursor of the page as shown (null for an empty page)."""

    def first_by(order: Any) -> ColumnElement[Any]:
        cursors = func.array_agg(aggregate_order_by(cursor, order)).filter(on_page)
        return type_coerce(cursors, ARRAY(Text))[1]

    return first_by(shown), first_by(reverse)


def _flag(value: bool) -> ColumnElement[bool]:
    return true() if value else false()


def _python_type(column: Any) -> type:
    try:
        python_type: type = column.type.python_type
    except NotImplementedError:
        return object
    return python_type


__all__ = ["ArgumentsRefused", "Prepared", "prepare"]
