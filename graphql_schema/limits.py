"""Limits checked before an operation runs, and the code every error leaves with.

Depth, aliases and tokens are Strawberry's limiters, made to refuse with SPEC's codes and
a message naming the limit and its setting; cost and page sizes are estimated from the
document (`graphql_schema/cost.py`). Every refusal is a validation error: nothing runs.
The execution time limit is the HTTP view's (`graphql_schema/http.py`).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, cast

from asgi_correlation_id.context import correlation_id
from cachetools import LRUCache
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import count_fields_with_alias
from strawberry.extensions.query_depth_limiter import (
    determine_depth,
    get_fragments,
    get_queries_and_mutations,
)
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from core.db import DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE, database_unreachable
from core.pagination import MAX_PAGE_SIZE
from core.settings import Settings
from graphql_schema.context import Context
from graphql_schema.cost import estimate
from graphql_schema.cost_budget import CostBudget, Spending
from graphql_schema.document_cache import DOCUMENTS_KEPT, READS_VARIABLES

# SQLSTATE query_canceled: PostgreSQL stopped a statement at `statement_timeout`.
QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class Limits:
    """`CATALOG_MAX_*`, as the schema enforces them."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 25_000
    max_page_size: int = MAX_PAGE_SIZE

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
        )


class LimitError(GraphQLError):
    """A refusal naming the limit it hit; safe to show in prod."""

    code: ClassVar[str]

    def __init__(self, message: str, nodes: Sequence[Node] | Node | None = None) -> None:
        super().__init__(message, nodes, extensions={"code": self.code})


class DepthLimitExceeded(LimitError):
    code = "DEPTH_LIMIT_EXCEEDED"


class AliasLimitExceeded(LimitError):
    code = "ALIAS_LIMIT_EXCEEDED"


class TokenLimitExceeded(LimitError):
    code = "TOKEN_LIMIT_EXCEEDED"


class CostLimitExceeded(LimitError):
    code = "COST_LIMIT_EXCEEDED"


class PageSizeLimitExceeded(LimitError):
    code = "PAGE_SIZE_EXCEEDED"


class ExecutionTimeout(LimitError):
    code = "TIMEOUT"


class RateLimited(LimitError):
    code = "RATE_LIMITED"


Refusal = Callable[[ValidationContext, list[GraphQLError]], GraphQLError]


class _Collector:
    """Stands in for the validation context of a Strawberry rule, keeping what it reports."""

    def __init__(self, context: ValidationContext) -> None:
        self._context = context
        self.errors: list[GraphQLError] = []

    def report_error(self, error: GraphQLError) -> None:
        self.errors.append(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _coded(rule: type[ASTValidationRule], refuse: Refusal) -> type[ValidationRule]:
    """Run Strawberry's `rule`; when it objects, report one coded error instead."""

    class CodedLimitRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            collector = _Collector(context)
            rule(cast(ValidationContext, collector))
            if collector.errors:
                context.report_error(refuse(context, collector.errors))

    CodedLimitRule.__name__ = f"Coded{rule.__name__}"
    return CodedLimitRule


class DepthLimit(QueryDepthLimiter):
    """Strawberry's depth limit (introspection fields do not count), refusing with a code."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(max_depth=max_depth)
        refuse = partial(_depth_refusal, max_depth)
        self.validation_rules = [_coded(rule, refuse) for rule in self.validation_rules]


def _depth_refusal(
    limit: int, context: ValidationContext, errors: list[GraphQLError]
) -> GraphQLError:
    depth = _deepest(context)
    found = f"query depth {depth}" if depth is not None else "the query depth"
    return DepthLimitExceeded(
        f"{found} exceeds the limit of {limit} (CATALOG_MAX_DEPTH)", errors[0].nodes
    )


def _deepest(context: ValidationContext) -> int | None:
    """The depth Strawberry's rule stopped counting at, counted to the end."""
    definitions = context.document.definitions
    fragments = get_fragments(definitions)
    try:
        return max(
            determine_depth(
                node=operation,
                fragments=fragments,
                depth_so_far=0,
                max_depth=sys.maxsize,
                context=context,
                operation_name=name,
                should_ignore=None,
            )
            for name, operation in get_queries_and_mutations(definitions).items()
        )
    except RecursionError:
        return None


class AliasLimit(MaxAliasesLimiter):
    """Strawberry's alias limit, refusing with a code."""

    def __init__(self, max_alias_count: int) -> None:
        super().__init__(max_alias_count=max_alias_count)
        refuse = partial(_alias_refusal, max_alias_count)
        self.validation_rules = [_coded(rule, refuse) for rule in self.validation_rules]


def _alias_refusal(
    limit: int, context: ValidationContext, errors: list[GraphQLError]
) -> GraphQLError:
    document = context.document
    fragments = get_fragments(document.definitions)
    found = sum(
        count_fields_with_alias(definition, fragments)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
    return AliasLimitExceeded(
        f"{found} aliases exceed the limit of {limit} (CATALOG_MAX_ALIASES)", errors[0].nodes
    )


class TokenLimit(MaxTokensLimiter):
    """Strawberry's token limit (the parser stops past it), refusing with a code."""

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        execution = self.execution_context
        result = execution.result
        if result is None or not result.errors or execution.graphql_document is not None:
            return
        aborted = f"Document contains more than {self.max_token_count} tokens"
        result.errors = [
            TokenLimitExceeded(
                f"the document exceeds the limit of {self.max_token_count} tokens"
                " (CATALOG_MAX_TOKENS)"
            )
            if aborted in error.message
            else error
            for error in result.errors
        ]


class OperationCost(SchemaExtension):
    """Refuses an operation whose estimated cost, or one of whose pages, is over its limit;
    spends its cost from the caller's budget (`CATALOG_COST_PER_MINUTE`) before it runs;
    reports `extensions.cost` (`requested`, `limit`) on every response.

    The rule reads the request's variables, so its result depends on more than the
    document: it is marked to run on every request (document_cache.py). When it did not
    run (a document without variables that passed before), the cost is the one it found.
    """

    def __init__(self, limits: Limits, budget: CostBudget | None = None) -> None:
        self.limits = limits
        self.budget = budget
        self.requested: int | None = None

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        rule = _cost_rule(
            self.limits, execution.variables or {}, execution.operation_name, self._found
        )
        execution.validation_rules = (*execution.validation_rules, rule)
        yield

    def _found(self, cost: int) -> None:
        self.requested = max(cost, self.requested or 0)

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if self.requested is None:
            self.requested = _kept_cost(execution)
        context = execution.context
        if isinstance(context, Context):
            # Refused already (access), or a subscription: nothing of the budget to spend.
            chargeable = (
                execution.result is None
                and execution.operation_type is not OperationType.SUBSCRIPTION
            )
            covered = await context.charge(self.requested, self.budget if chargeable else None)
            if not covered:
                assert context.spending is not None
                refusal = RateLimited(budget_refusal(self.requested, context.spending))
                execution.result = GraphQLExecutionResult(data=None, errors=[refusal])
        yield

    def get_results(self) -> dict[str, Any]:
        if self._subscription():
            return {}  # its events are pushed, not asked for: the start was checked
        return {"cost": cost_extension(self.requested or 0, self.limits)}

    def _subscription(self) -> bool:
        execution = self.execution_context
        if execution.graphql_document is None:
            return False
        try:
            return execution.operation_type is OperationType.SUBSCRIPTION
        except RuntimeError:  # no operation by that name: a validation error answers
            return False


def cost_extension(requested: int, limits: Limits) -> dict[str, int]:
    return {"requested": requested, "limit": limits.max_cost}


def budget_refusal(requested: int, spending: Spending) -> str:
    return (
        f"the cost budget of {spending.quota} per minute (CATALOG_COST_PER_MINUTE) has"
        f" {spending.remaining} left and this operation costs {requested};"
        f" try again in {spending.reset_s} s"
    )


_kept_costs: LRUCache[tuple[int, str, str | None], int] = LRUCache(maxsize=DOCUMENTS_KEPT)


def _kept_cost(execution: ExecutionContext) -> int:
    """The cost of a document whose validation (and so its cost rule) was kept."""
    document = execution.graphql_document
    if document is None:
        return 0
    key = (id(execution.schema), execution.query or "", execution.operation_name)
    cost = _kept_costs.get(key)
    if cost is None:
        schema = execution.schema._schema
        variables = execution.variables or {}
        cost = max(
            (
                estimate(schema, document, operation, variables).cost
                for operation in _operations(document, execution.operation_name)
            ),
            default=0,
        )
        _kept_costs[key] = cost
    return cost


def _cost_rule(
    limits: Limits,
    variables: Mapping[str, Any],
    operation_name: str | None,
    found: Callable[[int], None],
) -> type[ValidationRule]:
    class OperationCostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for operation in _operations(context.document, operation_name):
                estimated = estimate(context.schema, context.document, operation, variables)
                found(estimated.cost)
                for page in estimated.pages:
                    if page.size > limits.max_page_size:
                        message = (  # the words of the resolver's backstop
                            f"a page holds at most {limits.max_page_size} items;"
                            f" {page.size} were asked for"
                        )
                        context.report_error(PageSizeLimitExceeded(message, page.field))
                if estimated.cost > limits.max_cost:
                    message = (
                        f"query cost {estimated.cost} exceeds the limit of {limits.max_cost}"
                        " (CATALOG_MAX_COST)"
                    )
                    context.report_error(CostLimitExceeded(message, operation))

    setattr(OperationCostRule, READS_VARIABLES, True)
    return OperationCostRule


def _operations(
    document: DocumentNode, operation_name: str | None
) -> list[OperationDefinitionNode]:
    """The operation that will run, or every one when the name does not pick it yet."""
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    named = [op for op in operations if op.name is not None and op.name.value == operation_name]
    return named if operation_name is not None and named else operations


def should_mask(error: GraphQLError) -> bool:
    """Mask bugs; never validation, limit or coded errors."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's masking, keeping the code SPEC gives a masked error.

    The masked error carries the request id, which the logged original also carries
    (core/logs.py): what an operator needs to find the message the caller was not shown.
    """

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        if request_id := correlation_id.get():
            masked.extensions["requestId"] = request_id
        return masked


class ErrorCodes(SchemaExtension):
    """Every error leaves with an `extensions.code`.

    Listed after `MaskErrors`, so it runs first on the way out: a statement stopped by
    PostgreSQL's `statement_timeout` becomes TIMEOUT before masking could hide it.
    """

    def __init__(self) -> None:
        self._executing = False

    def on_execute(self) -> Iterator[None]:
        self._executing = True
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._coded(error) for error in result.errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        if (error.extensions or {}).get("code"):
            return error
        original = error.original_error
        if original is not None and _is_statement_timeout(original):
            return GraphQLError(
                "a database statement ran longer than CATALOG_STATEMENT_TIMEOUT_MS and was stopped",
                error.nodes,
                path=error.path,
                extensions={"code": ExecutionTimeout.code},
            )
        if original is not None and database_unreachable(original):
            return GraphQLError(
                DATABASE_UNAVAILABLE_MESSAGE,
                error.nodes,
                path=error.path,
                extensions={"code": DATABASE_UNAVAILABLE},
            )
        if not self._executing:
            code = "GRAPHQL_VALIDATION_FAILED"  # syntax errors included
        elif not error.path and (original is None or isinstance(original, GraphQLError)):
            code = "BAD_USER_INPUT"  # the variables could not be coerced
        else:
            code = "INTERNAL_SERVER_ERROR"
        error.extensions = {**(error.extensions or {}), "code": code}
        return error


def _is_statement_timeout(error: BaseException) -> bool:
    driver_error = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
    return getattr(driver_error, "sqlstate", None) == QUERY_CANCELED


Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


def guard_extensions(
    limits: Limits, *, mask_errors: bool, budget: CostBudget | None = None
) -> list[Extension]:
    """The limits, then masking (prod), then codes: in this order."""
    extensions: list[Extension] = [
        partial(TokenLimit, max_token_count=limits.max_tokens),
        partial(DepthLimit, max_depth=limits.max_depth),
        partial(AliasLimit, max_alias_count=limits.max_aliases),
        partial(OperationCost, limits, budget),
    ]
    if mask_errors:
        extensions.append(partial(MaskUnexpectedErrors, should_mask_error=should_mask))
    extensions.append(ErrorCodes)
    return extensions


__all__ = [
    "AliasLimitExceeded",
    "CostLimitExceeded",
    "DepthLimitExceeded",
    "ErrorCodes",
    "ExecutionTimeout",
    "Limits",
    "MaskUnexpectedErrors",
    "PageSizeLimitExceeded",
    "RateLimited",
    "TokenLimitExceeded",
    "guard_extensions",
    "should_mask",
]
