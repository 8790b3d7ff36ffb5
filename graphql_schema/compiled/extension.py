"""The compiled read path as a schema extension: a query it can plan is answered by one SQL
statement before graphql-core would resolve a field.

`CATALOG_READ_PATH` says which path answers: `compiled` (the default) plans every query and
lets the resolvers answer only what does not compile; `resolvers` never plans; `verify` runs
both and refuses to answer when they differ (the test suite runs in it). Plans are kept per
document text and operation name (a document with `@skip`/`@include` is planned for each
request: its fields depend on the variables).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.clock import utcnow
from core.db import DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE, database_unreachable
from core.settings import ReadPath
from core.sql_text import SqlText
from graphql_schema.compiled.caches import Cleared, CompiledCaches, cleared_key
from graphql_schema.compiled.deferred import DeferredFieldFailed, fill
from graphql_schema.compiled.planner import Fallback, Plan, Typename, plan_operation
from graphql_schema.compiled.raw_json import RawData
from graphql_schema.compiled.statement import ArgumentsRefused, prepare
from graphql_schema.context import Context

logger = logging.getLogger(__name__)

# In development, a request carrying this header gets `extensions.plan`.
PLAN_HEADER = "catalog-plan"


class CompiledPathDiffers(GraphQLError):
    """Verify mode: the compiled answer is not the resolvers' answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "INTERNAL_SERVER_ERROR"})


@dataclass(frozen=True)
class _Compiled:
    """The compiled roots' JSON (an object keyed by their response keys), and the plan."""

    text: str
    plan: Plan
    # Errors of deferred fields, at their places in the response.
    errors: tuple[GraphQLError, ...] = ()


def caches_of(schema: object) -> CompiledCaches:
    """The schema's caches (CatalogSchema holds them; any other schema gets its own)."""
    caches = getattr(schema, "compiled_caches", None)
    if not isinstance(caches, CompiledCaches):
        caches = CompiledCaches()
        setattr(schema, "compiled_caches", caches)  # noqa: B010
    return caches


class CompiledReadPath(SchemaExtension):
    """Listed last: the limits, the access check and the read-only flag have run."""

    report: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        mode = getattr(getattr(context, "settings", None), "read_path", ReadPath.RESOLVERS)
        if (
            not isinstance(context, Context)
            or mode is ReadPath.RESOLVERS
            or execution.result is not None
            or execution.operation_type is not OperationType.QUERY
        ):
            yield
            return
        try:
            compiled = await self._compile(context)
        except Exception as error:
            if not database_unreachable(error):
                raise
            # Raised from here it would leave without its code (ErrorCodes never sees it).
            unavailable = GraphQLError(
                DATABASE_UNAVAILABLE_MESSAGE, extensions={"code": DATABASE_UNAVAILABLE}
            )
            execution.result = GraphQLExecutionResult(data=None, errors=[unavailable])
            yield
            return
        if compiled is None:
            yield
        elif mode is ReadPath.VERIFY:
            yield
            self._verify(compiled)
        elif not compiled.plan.fallbacks:
            data: Any = (
                RawData(compiled.text) if context.raw_json_accepted else json.loads(compiled.text)
            )
            execution.result = GraphQLExecutionResult(
                data=data, errors=list(compiled.errors) or None
            )
            self._clear(context, compiled)
            yield
        else:
            # The resolvers answer the other root fields, then both are put in document order.
            document = execution.graphql_document
            assert document is not None
            execution.graphql_document = _only(document, compiled.plan)
            try:
                yield
            finally:
                execution.graphql_document = document
            self._merge(compiled)

    def get_results(self) -> dict[str, Any]:
        return {"plan": self.report} if self.report is not None else {}

    async def _compile(self, context: Context) -> _Compiled | None:
        execution = self.execution_context
        document = execution.graphql_document
        assert document is not None
        operation = _operation(document, execution.operation_name)
        if operation is None:
            return None
        schema = execution.schema._schema
        variables = get_variable_values(
            schema, operation.variable_definitions or (), execution.variables or {}
        )
        if not isinstance(variables, VariableValues):
            return None  # the resolver path reports the variables' errors
        query = execution.query or ""
        # A document with @skip/@include selects according to its variables: planned each time.
        keep = "@skip" not in query and "@include" not in query
        caches = caches_of(execution.schema)
        key = (query, execution.operation_name)
        plan = caches.plans.get(key)
        if plan is None:
            plan = plan_operation(schema, _fragments(document), operation, variables)
            if keep:
                caches.plans[key] = plan
        self._report(context, plan)
        if plan.not_compilable is not None:
            return None
        if not plan.reads_database:
            names = {key: root.name for key, root in plan.compiled if isinstance(root, Typename)}
            return _Compiled(json.dumps(names), plan)
        try:
            prepared = prepare(plan, execution.schema, variables, utcnow(), caches.page_sources)
        except ArgumentsRefused as refused:
            logger.debug("resolvers answer: %s", refused)
            return None
        sql_key = (key, prepared.shape)
        sql = caches.statements.get(sql_key)
        if sql is None:
            sql = SqlText.compile(prepared.build(), context.dialect)
            if keep:
                caches.statements[sql_key] = sql
        text = await context.fetch_value(sql.sql, sql.arguments(prepared.values))
        assert isinstance(text, str)
        if plan.deferred:
            data = json.loads(text)
            try:
                errors = await fill(
                    data,
                    plan.deferred,
                    schema=execution.schema,
                    context=context,
                    operation=operation,
                    fragments=_fragments(document),
                    variables=execution.variables or {},
                )
            except DeferredFieldFailed as failed:
                logger.debug("resolvers answer: %s", failed)
                return None
            return _Compiled(json.dumps(data), plan, tuple(errors))
        return _Compiled(text, plan)

    def _clear(self, context: Context, compiled: _Compiled) -> None:
        """Let the same request take the fast path next time (caches.py, fast_path.py)."""
        execution = self.execution_context
        query = execution.query or ""
        variables = execution.variables or {}
        if compiled.plan.deferred or "@skip" in query or "@include" in query:
            return
        operation = _operation(execution.graphql_document, execution.operation_name)  # type: ignore[arg-type]
        if operation is None or not isinstance(variables, dict):
            return
        plan_key = (query, execution.operation_name)
        cleared = caches_of(execution.schema).cleared
        kept = Cleared(plan_key, operation, context.cost_requested or 0)
        cleared[cleared_key(query, execution.operation_name, context, variables)] = kept
        document = execution.graphql_document
        assert document is not None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) == 1:  # a client may leave the only operation's name out
            cleared[cleared_key(query, None, context, variables)] = kept

    def _merge(self, compiled: _Compiled) -> None:
        result = self.execution_context.result
        if result is None or result.data is None:
            return  # a non-null root failed: the whole data is null, as the resolvers say
        answered = json.loads(compiled.text)
        result.data = {
            key: answered[key] if key in answered else result.data[key]
            for key, _ in compiled.plan.roots
        }
        if compiled.errors:
            result.errors = [*(result.errors or []), *compiled.errors]

    def _report(self, context: Context, plan: Plan) -> None:
        request = getattr(context, "request", None)
        headers = getattr(request, "headers", None)
        if not context.settings.is_dev or headers is None or PLAN_HEADER not in headers:
            return
        if plan.not_compilable is not None:
            self.report = {
                "path": "resolvers",
                "reason": str(plan.not_compilable),
                "field": ".".join(plan.not_compilable.path),
            }
            return
        fields: dict[str, Any] = {}
        for key, root in plan.roots:
            if isinstance(root, Fallback):
                fields[key] = {"path": "resolvers", "reason": str(root.reason)}
            else:
                fields[key] = "compiled"
        path = "mixed" if plan.fallbacks else "compiled"
        self.report = {"path": path, "fields": fields}
        if plan.deferred:
            # Fields inside compiled objects that the resolvers answered.
            self.report["resolved"] = [".".join(group.path) for group in plan.deferred]

    def _verify(self, compiled: _Compiled) -> None:
        result = self.execution_context.result
        assert result is not None
        answered = json.loads(compiled.text)
        given = result.data if isinstance(result.data, dict) else {}
        expected = json.loads(json.dumps({key: given.get(key) for key in answered}, default=str))
        compiled_roots = {key for key, _ in compiled.plan.compiled}
        expected_errors = sorted(
            (str(error.path), error.message)
            for error in result.errors or []
            if error.path and error.path[0] in compiled_roots
        )
        found_errors = sorted((str(error.path), error.message) for error in compiled.errors)
        resolver_only = [error for error in result.errors or [] if not error.path]
        if resolver_only or expected_errors != found_errors or expected != answered:
            difference = _first_difference(expected, answered, ()) or (
                f"errors {expected_errors} / {found_errors}"
            )
            message = (
                "the compiled read path answers differently from the resolvers"
                f" at {difference or '(the errors)'}"
            )
            logger.error("%s: resolvers %r, compiled %r", message, expected, answered)
            self.execution_context.result = GraphQLExecutionResult(
                data=None, errors=[CompiledPathDiffers(message)]
            )


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _only(document: DocumentNode, plan: Plan) -> DocumentNode:
    """The document with its operation selecting only the root fields left to resolvers."""
    nodes = [node for _, fallback in plan.fallbacks for node in fallback.nodes]
    definitions = [
        OperationDefinitionNode(
            operation=definition.operation,
            name=definition.name,
            variable_definitions=definition.variable_definitions,
            directives=definition.directives,
            selection_set=SelectionSetNode(selections=tuple(nodes)),
        )
        if isinstance(definition, OperationDefinitionNode)
        else definition
        for definition in document.definitions
    ]
    return DocumentNode(definitions=tuple(definitions))


def _first_difference(expected: Any, found: Any, path: tuple[str, ...]) -> str | None:
    if type(expected) is not type(found) and not (
        isinstance(expected, (int, float)) and isinstance(found, (int, float))
    ):
        return ".".join(path) or "data"
    if isinstance(expected, dict):
        if list(expected) != list(found):
            return ".".join(path) + f" (keys {list(expected)} / {list(found)})"
        for key in expected:
            difference = _first_difference(expected[key], found[key], (*path, key))
            if difference is not None:
                return difference
        return None
    if isinstance(expected, list):
        if len(expected) != len(found):
            return ".".join(path) + f" (lengths {len(expected)} / {len(found)})"
        for index, (left, right) in enumerate(zip(expected, found, strict=True)):
            difference = _first_difference(left, right, (*path, str(index)))
            if difference is not None:
                return difference
        return None
    if expected != found:
        return ".".join(path) + f" ({expected!r} / {found!r})"
    return None


__all__ = ["PLAN_HEADER", "CompiledPathDiffers", "CompiledReadPath"]
