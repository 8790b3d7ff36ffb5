"""A cleared request answered straight from its plan: no parse, no validation walk, no
extension hooks, no resolver — the variables coerced, the statement's values bound, one
round trip, PostgreSQL's JSON text out.

Only what the pipeline cleared before for the same document, operation, roles, transport
and page sizes comes here (caches.py); anything else — a string variable holding a control
character, variables that do not coerce, arguments a resolver would refuse, a development
request asking for the plan — goes the whole way, which answers and reports it properly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import strawberry
from graphql.execution.values import VariableValues, get_variable_values

from core.clock import utcnow
from core.settings import ReadPath
from core.sql_text import SqlText
from graphql_schema.compiled.caches import CompiledCaches, cleared_key
from graphql_schema.compiled.extension import PLAN_HEADER
from graphql_schema.compiled.planner import Typename
from graphql_schema.compiled.raw_json import RawData
from graphql_schema.compiled.statement import ArgumentsRefused, prepare
from graphql_schema.context import Context
from graphql_schema.cost_budget import CostBudget


async def answer(
    schema: strawberry.Schema,
    caches: CompiledCaches,
    query: str | None,
    variables: Mapping[str, Any] | None,
    context: object,
    operation_name: str | None,
    budget: CostBudget | None = None,
) -> Any | None:
    """The `data` of a cleared query (RawData over HTTP), or None to take the whole way.

    Its cost is the one the pipeline estimated, spent from the caller's budget as there;
    a budget that cannot cover it takes the whole way, which refuses it.
    """
    if (
        query is None
        or not isinstance(context, Context)
        or context.settings.read_path is not ReadPath.COMPILED
    ):
        return None
    given = variables or {}
    if not isinstance(given, Mapping) or _has_control_characters(given):
        return None
    cleared = caches.cleared.get(cleared_key(query, operation_name, context, given))
    if cleared is None or _asks_for_the_plan(context):
        return None
    plan = caches.plans.get(cleared.plan_key)
    if plan is None:
        return None
    coerced = get_variable_values(
        schema._schema, cleared.operation.variable_definitions or (), dict(given)
    )
    if not isinstance(coerced, VariableValues):
        return None
    if not plan.reads_database:
        if not await context.charge(cleared.cost, budget):
            return None
        return {key: root.name for key, root in plan.compiled if isinstance(root, Typename)}
    try:
        prepared = prepare(plan, schema, coerced, utcnow(), caches.page_sources)
    except ArgumentsRefused:
        return None
    if not await context.charge(cleared.cost, budget):
        return None
    sql_key = (cleared.plan_key, prepared.shape)
    sql = caches.statements.get(sql_key)
    if sql is None:
        sql = caches.statements[sql_key] = SqlText.compile(prepared.build(), context.dialect)
    text = await context.fetch_value(sql.sql, sql.arguments(prepared.values))
    assert isinstance(text, str)
    return RawData(text) if context.raw_json_accepted else json.loads(text)


def _asks_for_the_plan(context: Context) -> bool:
    headers = getattr(getattr(context, "request", None), "headers", None)
    return context.settings.is_dev and headers is not None and PLAN_HEADER in headers


_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _has_control_characters(value: Any) -> bool:
    """Any C0 control, DEL or surrogate in a string: the whole way decides (text_inputs)."""
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, Mapping):
        return any(
            _has_control_characters(key) or _has_control_characters(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_has_control_characters(item) for item in value)
    return False


__all__ = ["answer"]
