"""What the compiled read path keeps per schema: plans, their SQL, and cleared requests.

A *cleared* request is one the whole pipeline (parsing, validation and the limits, the
access check, the read-only flag) let through to a fully compiled answer. The same document,
operation, caller's roles, transport and integer variables (the page sizes the cost limit
reads) clears again, so the next one is answered straight from its plan (fast_path.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import OperationDefinitionNode

from core.sql_text import SqlText
from graphql_schema.compiled.declarations import PageSource
from graphql_schema.compiled.planner import Plan
from graphql_schema.context import Context

KEPT = 1024

PlanKey = tuple[str, str | None]
ClearedKey = tuple[str, str | None, Any, str, tuple[tuple[str, int], ...]]


@dataclass(frozen=True)
class Cleared:
    plan_key: PlanKey
    operation: OperationDefinitionNode
    cost: int  # as the cost rule estimated it (the same page sizes: cleared_key)


@dataclass
class CompiledCaches:
    plans: LRUCache[PlanKey, Plan] = field(default_factory=lambda: LRUCache(maxsize=KEPT))
    # A plan's SQL for each shape of its arguments (the page size, which cursors, the filter).
    statements: LRUCache[tuple[PlanKey, tuple[Any, ...]], SqlText] = field(
        default_factory=lambda: LRUCache(maxsize=KEPT)
    )
    cleared: LRUCache[ClearedKey, Cleared] = field(default_factory=lambda: LRUCache(maxsize=KEPT))
    # Each root page's source (and its cursors' stamp) per field and arguments.
    page_sources: LRUCache[tuple[str, str], tuple[PageSource, str]] = field(
        default_factory=lambda: LRUCache(maxsize=KEPT)
    )


def cleared_key(
    query: str, operation_name: str | None, context: Context, variables: Mapping[str, Any]
) -> ClearedKey:
    principal = context.principal
    roles = principal.granted_roles if principal is not None else None
    transport = type(getattr(context, "request", None)).__name__
    # The cost limit reads the page sizes, which only integer variables can give.
    sizes = tuple(
        sorted(
            (name, value)
            for name, value in variables.items()
            if isinstance(value, int) and not isinstance(value, bool)
        )
    )
    return (query, operation_name, roles, transport, sizes)


__all__ = ["Cleared", "CompiledCaches", "cleared_key"]
