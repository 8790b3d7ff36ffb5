"""SCIM filters (RFC 7644 §3.4.2.2) as SQL conditions on `person`.

scim2-models parses and validates the filter against the published User; this module
only translates the tree. Every attribute of the published schema can be filtered:
strings with all operators (case-insensitive unless caseExact), `active` with eq/ne,
`meta.created`/`meta.lastModified` with ordering, and `emails[...]` value selections.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    column,
    exists,
    false,
    func,
    not_,
    or_,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from core.text import refusal_message, refused_character
from identity.models import Person
from identity.scim.resources import CORE_USER_SCHEMA, User


class Kind(Enum):
    TEXT = "text"  # caseExact false
    EXACT_TEXT = "exact_text"  # caseExact true
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ID = "id"


@dataclass(frozen=True)
class Operand:
    expression: SQLColumnExpression[Any]
    kind: Kind


_NAME_KEYS = {
    "formatted": "formatted",
    "familyname": "familyName",
    "givenname": "givenName",
    "middlename": "middleName",
    "honorificprefix": "honorificPrefix",
    "honorificsuffix": "honorificSuffix",
}
_EMAIL_KEYS = {"value": "value", "display": "display", "type": "type", "primary": "primary"}


def _person_operand(key: str) -> Operand | None:
    attributes = Person.scim_attributes
    simple: dict[str, Operand] = {
        "id": Operand(Person.id, Kind.ID),
        "username": Operand(Person.scim_user_name, Kind.TEXT),
        "externalid": Operand(Person.scim_external_id, Kind.EXACT_TEXT),
        "displayname": Operand(attributes["displayName"].astext, Kind.TEXT),
        "active": Operand(Person.active, Kind.BOOLEAN),
        "meta.created": Operand(Person.created_at, Kind.DATETIME),
        "meta.lastmodified": Operand(Person.updated_at, Kind.DATETIME),
    }
    if key in simple:
        return simple[key]
    attr, _, sub = key.partition(".")
    if attr == "name" and sub in _NAME_KEYS:
        return Operand(attributes["name"][_NAME_KEYS[sub]].astext, Kind.TEXT)
    return None


def _email_operand(email: ColumnElement[Any], sub: str) -> Operand | None:
    if sub not in _EMAIL_KEYS:
        return None
    value = email[_EMAIL_KEYS[sub]]
    if sub == "primary":
        return Operand(value.as_boolean(), Kind.BOOLEAN)
    return Operand(value.astext, Kind.TEXT)


def _key(path: AttrPath) -> str:
    if path.uri is not None and path.uri.rstrip(":").lower() != CORE_USER_SCHEMA.lower():
        raise InvalidFilterException(detail=f"unknown schema {path.uri!r} in the filter")
    return path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")


def _text_condition(operand: Operand, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    if not isinstance(value, str):
        raise InvalidFilterException(detail=f"{op.value} needs a string here")
    refused = refused_character(value)
    if refused is not None:  # PostgreSQL could not even compare it (NUL)
        raise InvalidFilterException(
            detail=refusal_message("the filter's value", refused, multiline=False)
        )
    expression: SQLColumnExpression[Any] = operand.expression
    if operand.kind is Kind.TEXT:
        expression, value = func.lower(expression), value.lower()
    conditions: dict[CompareOperator, Callable[[], ColumnElement[bool]]] = {
        CompareOperator.eq: lambda: expression == value,
        CompareOperator.ne: lambda: expression.is_distinct_from(value),
        CompareOperator.co: lambda: expression.contains(value, autoescape=True),
        CompareOperator.sw: lambda: expression.startswith(value, autoescape=True),
        CompareOperator.ew: lambda: expression.endswith(value, autoescape=True),
        CompareOperator.gt: lambda: expression > value,
        CompareOperator.ge: lambda: expression >= value,
        CompareOperator.lt: lambda: expression < value,
        CompareOperator.le: lambda: expression <= value,
    }
    return conditions[op]()


def _ordered_condition(
    expression: SQLColumnExpression[Any], op: CompareOperator, value: Any
) -> ColumnElement[bool]:
    conditions: dict[CompareOperator, Callable[[], ColumnElement[bool]]] = {
        CompareOperator.eq: lambda: expression == value,
        CompareOperator.ne: lambda: expression.is_distinct_from(value),
        CompareOperator.gt: lambda: expression > value,
        CompareOperator.ge: lambda: expression >= value,
        CompareOperator.lt: lambda: expression < value,
        CompareOperator.le: lambda: expression <= value,
    }
    if op not in conditions:
        raise InvalidFilterException(detail=f"{op.value} does not apply to this attribute")
    return conditions[op]()


def _condition(operand: Operand, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    if operand.kind in (Kind.TEXT, Kind.EXACT_TEXT):
        return _text_condition(operand, op, value)
    if operand.kind is Kind.BOOLEAN:
        if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilterException(detail="a boolean takes eq or ne with true or false")
        return _ordered_condition(operand.expression, op, value)
    if operand.kind is Kind.DATETIME:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidFilterException(detail=f"{value!r} is not a dateTime") from None
        return _ordered_condition(operand.expression, op, moment)
    if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, str):
        raise InvalidFilterException(detail="id takes eq or ne with a string")
    try:
        identifier = uuid.UUID(value)
    except ValueError:
        return false() if op is CompareOperator.eq else true()
    return _ordered_condition(operand.expression, op, identifier)


def _present(operand: Operand) -> ColumnElement[bool]:
    if operand.kind in (Kind.TEXT, Kind.EXACT_TEXT):
        return and_(operand.expression.is_not(None), operand.expression != "")
    return operand.expression.is_not(None)


class _SqlFilter(FilterVisitor[ColumnElement[bool]]):
    """Translate a filter tree; `email` is set inside an `emails[...]` selection."""

    def __init__(self, email: ColumnElement[Any] | None = None) -> None:
        self.email = email

    def _operand(self, path: AttrPath) -> Operand:
        key = _key(path)
        found = _person_operand(key) if self.email is None else _email_operand(self.email, key)
        if found is None:
            raise InvalidFilterException(detail=f"cannot filter on {key!r}")
        return found

    def _is_emails(self, path: AttrPath) -> bool:
        return self.email is None and path.attr.lower() == "emails"

    def visit_comparison(self, node: Comparison) -> ColumnElement[bool]:
        if self._is_emails(node.attr_path):
            inner = Comparison(AttrPath(node.attr_path.sub_attr or "value"), node.op, node.value)
            return _any_email(inner)
        return _condition(self._operand(node.attr_path), node.op, node.value)

    def visit_present(self, node: Present) -> ColumnElement[bool]:
        if self._is_emails(node.attr_path):
            sub = node.attr_path.sub_attr
            return _any_email(Present(AttrPath(sub)) if sub else None)
        return _present(self._operand(node.attr_path))

    def visit_not(self, node: Not) -> ColumnElement[bool]:
        return not_(func.coalesce(self.visit(node.expr), false()))

    def visit_logical_expr(self, node: LogicalExpr) -> ColumnElement[bool]:
        terms = [self.visit(term) for term in node.terms]
        return and_(*terms) if node.op is LogicalOperator.and_ else or_(*terms)

    def visit_value_path(self, node: ValuePath) -> ColumnElement[bool]:
        if not self._is_emails(node.attr_path):
            raise InvalidFilterException(detail="only emails[...] selects values")
        return _any_email(node.val_filter)


def _any_email(condition: Any) -> ColumnElement[bool]:
    """EXISTS an element of `scim_attributes.emails` matching the condition (any, if None)."""
    elements = (
        func.jsonb_array_elements(Person.scim_attributes["emails"])
        .table_valued(column("value", JSONB))
        .alias("email")
    )
    statement = exists().select_from(elements)
    if condition is not None:
        statement = statement.where(_SqlFilter(elements.c.value).visit(condition))
    return statement


def user_condition(text: str) -> ColumnElement[bool]:
    """The SQL condition of a SCIM filter; InvalidFilterException when it cannot be applied."""
    parsed = ScimFilter[User](text)
    return _SqlFilter().visit(parsed.ast)


# The same comparisons for Groups (identity/scim/group_filters.py).
compare = _condition
is_present = _present
