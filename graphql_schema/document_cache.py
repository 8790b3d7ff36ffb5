"""Parsing and validation once per document text.

A document parsed once is not parsed again (a parse that fails is not kept: the parser
reports its error, the token limit included, each time).

A document that passed the rules that read only the document is not validated again; the
rules that read the request (its variables) still run.

A rule class marked `reads_variables = True` (the cost rule, the control-character rule) is
the request's: it runs every time the operation declares variables; the others' verdict is
kept per document text, operation name and set of rules (the introspection rule for an
anonymous caller makes another set). Only a passing verdict is kept: a refused document is
validated again, so every response gets errors of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cachetools import LRUCache
from graphql import ASTValidationRule, DocumentNode, OperationDefinitionNode, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

DOCUMENTS_KEPT = 1024
READS_VARIABLES = "reads_variables"

_Key = tuple[int, str, str | None, tuple[str, ...]]
_passed: LRUCache[_Key, bool] = LRUCache(maxsize=DOCUMENTS_KEPT)
_parsed: LRUCache[tuple[str, tuple[tuple[str, Any], ...]], DocumentNode] = LRUCache(
    maxsize=DOCUMENTS_KEPT
)


class CachedParse(SchemaExtension):
    """Listed after the token limit: a kept document was parsed under the same options."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        key = (execution.query or "", tuple(sorted(execution.parse_options.items())))
        kept = _parsed.get(key)
        if kept is not None:
            execution.graphql_document = kept
        yield
        if kept is None and execution.graphql_document is not None:
            _parsed[key] = execution.graphql_document


def _name(rule: type[ASTValidationRule]) -> str:
    # Rules built per request (Strawberry's limiters) are new classes with the same name.
    return f"{rule.__module__}.{rule.__qualname__}.{rule.__name__}"


class CachedValidation(SchemaExtension):
    """Listed after every extension that adds rules (they add them in `on_operation`)."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        rules = execution.validation_rules
        if document is None or execution.pre_execution_errors is not None or not rules:
            yield
            return
        per_request = tuple(rule for rule in rules if getattr(rule, READS_VARIABLES, False))
        fixed = tuple(sorted(_name(rule) for rule in rules if rule not in per_request))
        key = (id(execution.schema), execution.query or "", execution.operation_name, fixed)
        if key in _passed:
            declares_variables = any(
                isinstance(definition, OperationDefinitionNode) and definition.variable_definitions
                for definition in document.definitions
            )
            # Without variables, what the request's rules read is the document: decided.
            execution.pre_execution_errors = (
                validate(execution.schema._schema, document, per_request)
                if per_request and declares_variables
                else []
            )
        else:
            errors = validate_document(execution.schema._schema, document, rules)
            execution.pre_execution_errors = errors
            if not errors:
                _passed[key] = True
        yield


__all__ = ["READS_VARIABLES", "CachedParse", "CachedValidation"]
