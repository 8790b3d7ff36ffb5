"""A bound on the directives of a document, checked instead of validating it.

Validation reports each unknown or repeated directive on its own, so a field carrying
hundreds of `@a` would be answered with hundreds of errors ("directive overloading"). Only
`@include` and `@skip` apply to an operation here, each at most once per location: a
document going past these bounds is never one a client meant to send.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import DirectiveNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from graphql_schema.limits import LimitError

MAX_DIRECTIVES = 50
MAX_PER_LOCATION = 4


class DirectiveLimitExceeded(LimitError):
    code = "GRAPHQL_VALIDATION_FAILED"


class DirectiveLimit(SchemaExtension):
    """Refuses, with one error and before any validation rule runs, too many directives."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document, query = execution.graphql_document, execution.query
        # Each directive starts with "@": most documents have too few to be worth a walk.
        if document is not None and (query is None or query.count("@") > MAX_PER_LOCATION):
            counted = _Directives()
            visit(document, counted)
            refusal = counted.refusal()
            if refusal is not None:
                # Errors found before validation stand for it: Strawberry then runs no rule.
                execution.pre_execution_errors = [refusal]
        yield


class _Directives(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.most_at_one_location = 0

    def enter_directive(
        self, node: DirectiveNode, key: Any, parent: Sequence[DirectiveNode], *_: Any
    ) -> None:
        self.count += 1
        self.most_at_one_location = max(self.most_at_one_location, len(parent))

    def refusal(self) -> DirectiveLimitExceeded | None:
        if self.count > MAX_DIRECTIVES:
            return DirectiveLimitExceeded(
                f"{self.count} directives exceed the limit of {MAX_DIRECTIVES} per document"
            )
        if self.most_at_one_location > MAX_PER_LOCATION:
            return DirectiveLimitExceeded(
                f"{self.most_at_one_location} directives at one location exceed the limit of"
                f" {MAX_PER_LOCATION}"
            )
        return None


__all__ = ["MAX_DIRECTIVES", "MAX_PER_LOCATION", "DirectiveLimit"]
