"""Control characters in input strings, refused once for the whole operation.

Every `String`, `ID` or other scalar value an operation carries (a literal in the
document, a variable, a variable's default; inside input objects and lists, and in the
JSON scalar's strings) is checked against `core.text` before anything runs: a refusal
is a validation error coded BAD_USER_INPUT that names the argument's path and the
character, so no resolver, statement or audit record ever sees the value. Queries,
mutations and subscriptions all pass through it. Which values are free text (tabs and
line breaks allowed) is decided by the name they are given in: `core.text.FREE_TEXT_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from core.text import (
    RefusedCharacter,
    escaped,
    is_free_text,
    refusal_message,
    refused_character,
)
from graphql_schema.document_cache import READS_VARIABLES

Path = tuple[str | int, ...]


class ControlCharacterRefused(GraphQLError):
    """A string argument carrying a character no input may carry; safe to show in prod."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message, node, extensions={"code": self.code})


@dataclass(frozen=True)
class Found:
    """Where the first refused character of an argument is."""

    path: Path
    refused: RefusedCharacter
    multiline: bool

    def message(self, owner: str) -> str:
        subject = f"{format_path(self.path)} of {owner}"
        return refusal_message(subject, self.refused, multiline=self.multiline)


def format_path(path: Path) -> str:
    """`("input", "tags", 0)` -> `input.tags[0]`; a JSON key's own controls escaped (`\\u0000`)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = escaped(part)
            text += f".{name}" if text else name
    return text


def _check(value: str, path: Path, name: str) -> Found | None:
    free_text = is_free_text(name)
    refused = refused_character(value, free_text=free_text)
    if refused is None:
        return None
    return Found(path, refused, multiline=free_text and "\n" in value)


def _first(found: Iterator[Found | None]) -> Found | None:
    return next((item for item in found if item is not None), None)


@dataclass(frozen=True)
class _Walk:
    """Walks an argument's value with its input type, following variables to their values."""

    variables: Mapping[str, Any]
    defaults: Mapping[str, ValueNode]

    def literal(
        self, node: ValueNode, type_: GraphQLInputType, path: Path, name: str
    ) -> Found | None:
        if isinstance(node, VariableNode):
            variable = node.name.value
            if variable in self.variables:
                return self.value(self.variables[variable], type_, path, name)
            default = self.defaults.get(variable)
            return self.literal(default, type_, path, name) if default is not None else None
        if isinstance(type_, GraphQLNonNull):
            return self.literal(node, type_.of_type, path, name)
        if isinstance(type_, GraphQLList):
            if isinstance(node, ListValueNode):
                items = enumerate(node.values)
                return _first(self.literal(v, type_.of_type, (*path, i), name) for i, v in items)
            return self.literal(node, type_.of_type, path, name)
        if isinstance(type_, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            return _first(
                self.literal(field.value, type_.fields[key].type, (*path, key), key)
                for field in node.fields
                if (key := field.name.value) in type_.fields
            )
        return self._scalar_literal(node, path, name)

    def _scalar_literal(self, node: ValueNode, path: Path, name: str) -> Found | None:
        """A scalar's literal; the JSON scalar's may be an object or a list of any depth."""
        if isinstance(node, StringValueNode):
            return _check(node.value, path, name)
        if isinstance(node, ListValueNode):
            return _first(
                self._scalar_literal(v, (*path, i), name) for i, v in enumerate(node.values)
            )
        if isinstance(node, ObjectValueNode):
            return _first(
                self._scalar_literal(field.value, (*path, field.name.value), name)
                for field in node.fields
            )
        if isinstance(node, VariableNode):
            if node.name.value in self.variables:
                return self._any(self.variables[node.name.value], path, name)
            default = self.defaults.get(node.name.value)
            return self._scalar_literal(default, path, name) if default is not None else None
        return None

    def value(self, value: Any, type_: GraphQLInputType, path: Path, name: str) -> Found | None:
        """A variable's value as the request sent it (not yet coerced: shapes may be wrong)."""
        if isinstance(type_, GraphQLNonNull):
            return self.value(value, type_.of_type, path, name)
        if isinstance(type_, GraphQLList):
            if isinstance(value, list):
                items = enumerate(value)
                return _first(self.value(v, type_.of_type, (*path, i), name) for i, v in items)
            return self.value(value, type_.of_type, path, name)
        if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
            return _first(
                self.value(item, type_.fields[key].type, (*path, key), key)
                for key, item in value.items()
                if key in type_.fields
            )
        return self._any(value, path, name)

    def _any(self, value: Any, path: Path, name: str) -> Found | None:
        """Any JSON value at a scalar's place: its strings, object keys included."""
        if isinstance(value, str):
            return _check(value, path, name)
        if isinstance(value, list):
            return _first(self._any(v, (*path, i), name) for i, v in enumerate(value))
        if isinstance(value, dict):
            return _first(
                _check(str(key), (*path, str(key)), name) or self._any(v, (*path, str(key)), name)
                for key, v in value.items()
            )
        return None


def _owner(context: ValidationContext, field: str | None) -> str | None:
    """What the argument belongs to: `createService`, `Service.measurements`, `@include`."""
    directive = context.get_directive()
    if directive is not None:
        return f"@{directive.name}"
    parent = context.get_parent_type()
    if field is None or parent is None:
        return None
    schema = context.schema
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    return field if parent in roots else f"{parent.name}.{field}"


def _defaults(context: ValidationContext) -> dict[str, ValueNode]:
    return {
        definition.variable.name.value: definition.default_value
        for operation in context.document.definitions
        if isinstance(operation, OperationDefinitionNode)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }


def _text_rule(variables: Mapping[str, Any]) -> type[ValidationRule]:
    class ControlCharacterRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.walk = _Walk(variables, _defaults(context))
            self.field: str | None = None

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            self.field = node.name.value  # its arguments are visited next, before its children

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            argument = self.context.get_argument()
            owner = _owner(self.context, self.field)
            if argument is None or owner is None:
                return  # an unknown argument: validation reports it
            name = node.name.value
            found = self.walk.literal(node.value, argument.type, (name,), name)
            if found is not None:
                self.report_error(ControlCharacterRefused(found.message(owner), node))

    setattr(ControlCharacterRule, READS_VARIABLES, True)
    return ControlCharacterRule


class ControlCharacters(SchemaExtension):
    """Adds the control-character rule, with this request's variables, to validation.

    Like the cost rule, its result depends on the variables: it runs on every request
    (document_cache.py).
    """

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        given = execution.variables
        variables = given if isinstance(given, Mapping) else {}
        execution.validation_rules = (*execution.validation_rules, _text_rule(variables))
        yield


__all__ = ["ControlCharacterRefused", "ControlCharacters", "format_path"]
