"""Random valid selections over everything feedback declares for the compiled path, asked of
its connections over stored feedback (ties in time and score, merged, promoted and anonymous
items): both paths answer the same JSON."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER
from tests.graphql import gql
from tests.graphql_schema.compiled.test_random_selections import connections
from tests.graphql_schema.feedback.test_compiled_feedback import told

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

ROOTS: dict[str, tuple[str, list[str]]] = {
    "feedback": (
        "Feedback",
        ["", "filter: {kinds: [IDEA, BUG]}", "filter: {statuses: [NEW, DUPLICATE]}"],
    ),
    "feedbackRanking": ("Feedback", ["scope: ORGANISATION"]),
}

pytestmark = pytest.mark.usefixtures(told.__name__)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=connections(ROOTS))
async def test_a_random_selection_of_feedback_answers_the_same_on_both_paths(
    query: str, settings: Settings, make_client: MakeClient
) -> None:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    answer: dict[str, Any] = await gql(compiled, query, headers={PLAN_HEADER: "1"})
    expected = await gql(resolved, query)
    if "errors" in expected:  # a selection over the cost limit: refused alike
        assert answer["errors"] == expected["errors"], query
        return
    assert answer["extensions"]["plan"]["path"] == "compiled", answer["extensions"]["plan"]
    del answer["extensions"]
    assert json.dumps(answer) == json.dumps(expected), query
