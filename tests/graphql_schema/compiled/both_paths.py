"""What every random-selection test of a domain asks: the compiled path answers the query
whole, with the JSON the resolvers answer, or both refuse it alike."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER
from tests.graphql import gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

random_examples = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def draw_connection(draw: st.DrawFn, node: st.SearchStrategy[str]) -> str:
    """Some of a connection's fields (`totalCount`, `edges`, `nodes`, `pageInfo`), in a
    random order, each node's selection drawn from `node`."""
    parts = draw(
        st.lists(
            st.sampled_from(["totalCount", "edges", "nodes", "pageInfo"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    selected = []
    for part in parts:
        if part == "edges":
            selected.append(f"edges {{ cursor node {{ {draw(node)} }} }}")
        elif part == "nodes":
            selected.append(f"nodes {{ {draw(node)} }}")
        elif part == "pageInfo":
            selected.append(PAGE_INFO)
        else:
            selected.append(part)
    return " ".join(selected)


async def assert_both_paths_agree(
    query: str, app_settings: Settings, make_client: MakeClient
) -> None:
    compiled = await make_client(app_settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(app_settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    answer: dict[str, Any] = await gql(compiled, query, headers={PLAN_HEADER: "1"})
    expected = await gql(resolved, query)
    if "errors" in expected:  # a selection over the cost limit: refused alike
        assert answer["errors"] == expected["errors"], query
        return
    assert answer["extensions"]["plan"]["path"] == "compiled", answer["extensions"]["plan"]
    del answer["extensions"]
    assert json.dumps(answer) == json.dumps(expected), query
