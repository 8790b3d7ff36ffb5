"""Random valid selections over everything feedback declares for the compiled path, asked of
its connections over stored feedback (ties in time and score, merged, promoted and anonymous
items): both paths answer the same JSON."""

from __future__ import annotations

import pytest
from hypothesis import given

from core.settings import Settings
from tests.graphql_schema.compiled.both_paths import (
    MakeClient,
    assert_both_paths_agree,
    random_examples,
)
from tests.graphql_schema.compiled.test_random_selections import connections
from tests.graphql_schema.feedback.test_compiled_feedback import told

ROOTS: dict[str, tuple[str, list[str]]] = {
    "feedback": (
        "Feedback",
        ["", "filter: {kinds: [IDEA, BUG]}", "filter: {statuses: [NEW, DUPLICATE]}"],
    ),
    "feedbackRanking": ("Feedback", ["scope: ORGANISATION"]),
}

pytestmark = pytest.mark.usefixtures(told.__name__)


@random_examples
@given(query=connections(ROOTS))
async def test_a_random_selection_of_feedback_answers_the_same_on_both_paths(
    query: str, settings: Settings, make_client: MakeClient
) -> None:
    await assert_both_paths_agree(query, settings, make_client)
