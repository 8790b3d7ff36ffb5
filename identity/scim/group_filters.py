"""SCIM filters on Groups as SQL conditions on `scim_group` (Okta and Entra ID ask
`displayName eq "..."`; `externalId`, `id` and the meta dates work too)."""

from __future__ import annotations

from scim2_models import Group, InvalidFilterException, ScimFilter
from scim2_models.path import (
    AttrPath,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, false, func, not_, or_

from identity.scim.filters import Kind, Operand, compare, is_present
from identity.scim.models import ScimGroup

CORE_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

_OPERANDS = {
    "id": Operand(ScimGroup.id, Kind.ID),
    "displayname": Operand(ScimGroup.display_name, Kind.TEXT),
    "externalid": Operand(ScimGroup.external_id, Kind.EXACT_TEXT),
    "meta.created": Operand(ScimGroup.created_at, Kind.DATETIME),
    "meta.lastmodified": Operand(ScimGroup.updated_at, Kind.DATETIME),
}


def _operand(path: AttrPath) -> Operand:
    if path.uri is not None and path.uri.rstrip(":").lower() != CORE_GROUP_SCHEMA.lower():
        raise InvalidFilterException(detail=f"unknown schema {path.uri!r} in the filter")
    key = path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")
    if key not in _OPERANDS:
        raise InvalidFilterException(detail=f"cannot filter groups on {key!r}")
    return _OPERANDS[key]


class _GroupFilter(FilterVisitor[ColumnElement[bool]]):
    def visit_comparison(self, node: Comparison) -> ColumnElement[bool]:
        return compare(_operand(node.attr_path), node.op, node.value)

    def visit_present(self, node: Present) -> ColumnElement[bool]:
        return is_present(_operand(node.attr_path))

    def visit_not(self, node: Not) -> ColumnElement[bool]:
        return not_(func.coalesce(self.visit(node.expr), false()))

    def visit_logical_expr(self, node: LogicalExpr) -> ColumnElement[bool]:
        terms = [self.visit(term) for term in node.terms]
        return and_(*terms) if node.op is LogicalOperator.and_ else or_(*terms)

    def visit_value_path(self, node: ValuePath) -> ColumnElement[bool]:
        raise InvalidFilterException(detail="groups cannot be filtered by members")


def group_condition(text: str) -> ColumnElement[bool]:
    """The SQL condition of a SCIM filter on groups; InvalidFilterException when unusable."""
    parsed = ScimFilter[Group](text)
    return _GroupFilter().visit(parsed.ast)
