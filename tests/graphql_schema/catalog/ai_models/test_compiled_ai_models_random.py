"""Random valid selections over everything the AI-model register declares for the compiled
path, asked of its connections over a stored register (tied names, tied evaluations, an
owner or none, RETIRED and stale models): both paths answer the same JSON."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import Settings
from tests.graphql_schema.catalog.ai_models.test_compiled_ai_models import register
from tests.graphql_schema.compiled.both_paths import (
    MakeClient,
    assert_both_paths_agree,
    draw_connection,
    random_examples,
)
from tests.graphql_schema.compiled.test_random_selections import _selection

# Root connection -> its node type and the arguments drawn for it (besides the page size).
ROOTS: dict[str, tuple[str, list[str]]] = {
    "aiModels": (
        "AIModel",
        [
            "",
            "filter: {attention: true}",
            "filter: {attention: false}",
            "filter: {status: APPROVED}",
            "filter: {status: RETIRED, attention: false}",
        ],
    ),
    "staleAIModels": ("AIModel", [""]),
    "services": ("Service", [""]),
}

pytestmark = pytest.mark.usefixtures(register.__name__)


@st.composite
def _document(draw: st.DrawFn) -> str:
    fragments: list[str] = []
    roots: list[str] = []
    for index in range(draw(st.integers(1, 2))):
        field = draw(st.sampled_from(sorted(ROOTS)))
        node_type, choices = ROOTS[field]
        arguments = [f"first: {draw(st.integers(0, 4))}"]
        chosen = draw(st.sampled_from(choices))
        if chosen:
            arguments.append(chosen)
        if node_type == "Service":
            node = "slug aiModels { " + draw(_selection("AIModel", 2, fragments)) + " }"
        else:
            node = draw(_selection(node_type, 1, fragments))
        connection = draw_connection(draw, st.just(node))
        roots.append(f"r{index}: {field}({', '.join(arguments)}) {{ {connection} }}")
    return f"query Q {{ {' '.join(roots)} }}\n" + "\n".join(fragments)


@random_examples
@given(query=_document())
async def test_a_random_selection_of_the_register_answers_the_same_on_both_paths(
    query: str, settings: Settings, make_client: MakeClient
) -> None:
    await assert_both_paths_agree(query, settings, make_client)
