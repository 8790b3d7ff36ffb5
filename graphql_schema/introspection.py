"""Who may introspect the schema: `CATALOG_INTROSPECTION`.

`public` lets everyone send `__schema` and `__type`; `authenticated` (prod's default)
refuses them to anonymous callers with UNAUTHENTICATED, as the access layer refuses what
signing in would allow; `off` refuses them to everyone as a validation failure, as
graphql-core's NoSchemaIntrospectionCustomRule would. `__typename` is always answered.
How much one introspection query may ask is bounded by graphql-core's own
MaxIntrospectionDepthRule, which every validation runs: a type's fields, interfaces,
possible types or input fields are listed inside one another at most two deep.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension

from core.settings import Introspection

# `_service { sdl }` is the federation subgraph's whole schema: introspection by another name.
INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "_service"})


def _refusing(code: str, message: str) -> type[ValidationRule]:
    class RefuseIntrospection(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            if node.name.value not in INTROSPECTION_FIELDS:
                return None
            self.report_error(GraphQLError(message, node, extensions={"code": code}))
            return self.SKIP

    return RefuseIntrospection


INTROSPECTION_OFF = _refusing(
    "GRAPHQL_VALIDATION_FAILED", "introspection is off (CATALOG_INTROSPECTION=off)"
)
SIGN_IN_TO_INTROSPECT = _refusing(
    "UNAUTHENTICATED", "sign in to introspect the schema (CATALOG_INTROSPECTION=authenticated)"
)


class IntrospectionPolicy(SchemaExtension):
    """Adds to an operation the rule refusing introspection, when its caller may not."""

    def __init__(self, policy: Introspection) -> None:
        self.policy = policy

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        if self.policy is Introspection.OFF:
            execution.validation_rules = (*execution.validation_rules, INTROSPECTION_OFF)
        elif self.policy is Introspection.AUTHENTICATED and execution.context.principal is None:
            execution.validation_rules = (*execution.validation_rules, SIGN_IN_TO_INTROSPECT)
        yield


__all__ = ["IntrospectionPolicy"]
