"""What operations report: Prometheus counts and durations, and logs of their errors.

`OperationMetrics` hooks the operation only (never each field: tests/test_architecture.py).
Its labels are the operation type and the outcome, never the operation's name or text,
which the client chooses. `CatalogSchema` logs the errors a caller caused (refusals,
validation, limits, input) at INFO without a traceback, and only the unexpected ones
(a bug, the database) at ERROR with theirs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import strawberry
from graphql import GraphQLError
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.logging import StrawberryLogger

from graphql_schema.compiled import fast_path
from graphql_schema.compiled.caches import CompiledCaches
from graphql_schema.cost_budget import CostBudget
from graphql_schema.limits import Limits, cost_extension, should_mask

logger = logging.getLogger("strawberry.execution")

# Not in prometheus_client's global registry: each app's registry adds them (server/metrics.py).
OPERATIONS = Counter(
    "graphql_operations",
    "GraphQL operations by type and outcome.",
    ["operation_type", "outcome"],
    registry=None,
)
DURATION = Histogram(
    "graphql_operation_duration_seconds",
    "Time to answer a GraphQL operation, from parsing to the result.",
    ["operation_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=None,
)
UNEXPECTED_CODES = frozenset({"INTERNAL_SERVER_ERROR"})


def outcome_of(errors: list[GraphQLError] | None) -> str:
    """success, refused (the caller's doing: any coded refusal), timeout or error (ours)."""
    if not errors:
        return "success"
    codes = {str((error.extensions or {}).get("code", "")) for error in errors}
    if codes & UNEXPECTED_CODES or "" in codes:
        return "error"
    return "timeout" if "TIMEOUT" in codes else "refused"


def _operation_type(execution: ExecutionContext) -> str:
    try:
        return execution.operation_type.value
    except Exception:  # no document (unparsable, or no operation of that name)
        return "unknown"


class OperationMetrics(SchemaExtension):
    """Listed first, so it closes last and sees the errors with their final codes."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        operation_type = _operation_type(execution)
        result = execution.result
        OPERATIONS.labels(operation_type, outcome_of(result.errors if result else None)).inc()
        DURATION.labels(operation_type).observe(time.perf_counter() - started)


class CatalogSchema(strawberry.Schema):
    """Strawberry's schema, logging expected errors without alarm, answering a query the
    pipeline cleared before straight from its compiled plan (compiled/fast_path.py)."""

    def __init__(
        self,
        *args: Any,
        fast_path: bool = True,
        limits: Limits | None = None,
        budget: CostBudget | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.compiled_caches = CompiledCaches()
        # Off when every operation must pass the extensions (OpenTelemetry spans).
        self.fast_path = fast_path
        # What the fast path reports and spends, as OperationCost does on the whole way.
        self.limits = limits or Limits()
        self.cost_budget = budget

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        data = await self.answer_cleared(query, variable_values, context_value, operation_name)
        if data is None:
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
        return ExecutionResult(
            data=data, errors=None, extensions=self.cost_extensions(context_value)
        )

    def cost_extensions(self, context: object) -> dict[str, Any]:
        """`extensions.cost` of a query answered on the fast path."""
        requested = getattr(context, "cost_requested", None) or 0
        return {"cost": cost_extension(requested, self.limits)}

    async def answer_cleared(
        self,
        query: str | None,
        variable_values: Mapping[str, Any] | None,
        context_value: Any,
        operation_name: str | None,
    ) -> Any | None:
        """The `data` of a query the pipeline cleared before, straight from its plan and
        counted as a successful query; None when it must take the whole way."""
        if not self.fast_path:
            return None
        started = time.perf_counter()
        data = await fast_path.answer(
            self,
            self.compiled_caches,
            query,
            variable_values,
            context_value,
            operation_name,
            self.cost_budget,
        )
        if data is not None:
            OPERATIONS.labels("query", "success").inc()
            DURATION.labels("query").observe(time.perf_counter() - started)
        return data

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            if should_mask(error):  # an exception nobody meant to raise
                StrawberryLogger.error(error, execution_context)
            else:
                code = (error.extensions or {}).get("code")
                logger.info("refused: %s (%s)", error.message, code or "GRAPHQL_VALIDATION")


def tracing_extension() -> type[SchemaExtension]:
    """Strawberry's OpenTelemetry spans (operation, parsing, validation), without a span per
    field: its `resolve` hook would wrap every resolver. Imported only when tracing is on."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    class OperationTracing(OpenTelemetryExtension):
        resolve = SchemaExtension.resolve  # type: ignore[assignment]

    return OperationTracing


__all__ = ["CatalogSchema", "OperationMetrics", "outcome_of", "tracing_extension"]
