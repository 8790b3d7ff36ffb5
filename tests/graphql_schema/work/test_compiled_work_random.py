"""Random valid selections over everything the work domain declares for the compiled path,
asked of its connections over stored work (ties, floats, hot fixes, every relation filled):
both paths answer the same JSON."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import Settings
from tests.graphql_schema.compiled.both_paths import (
    MakeClient,
    assert_both_paths_agree,
    draw_connection,
    random_examples,
)
from tests.graphql_schema.compiled.test_random_selections import _selection
from tests.graphql_schema.work.test_compiled_work import work

# Root connection -> its node type and the arguments drawn for it (besides the page size).
ROOTS: dict[str, tuple[str, list[str]]] = {
    "serviceRequests": (
        "ServiceRequest",
        ["", "filter: {breached: true}", "filter: {statuses: [NEW, IN_PROGRESS]}"],
    ),
    "incidents": ("Incident", ["", "filter: {severities: [SEV2]}"]),
    "backlogItems": (
        "BacklogItem",
        [
            "orderBy: {field: CREATED_AT}",
            "orderBy: {field: CREATED_AT, direction: DESC}, filter: {types: [HOTFIX, DEFECT]}",
            "orderBy: {field: RANK}",
            "orderBy: {field: RANK, direction: DESC}",
        ],
    ),
    "openHotfixes": ("BacklogItem", [""]),
    "sprints": ("Sprint", [""]),
    "releases": ("Release", ["", "filter: {kinds: [SALESFORCE_SEASONAL]}"]),
}

pytestmark = pytest.mark.usefixtures(work.__name__)


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
        connection = draw_connection(draw, _selection(node_type, 1, fragments))
        roots.append(f"r{index}: {field}({', '.join(arguments)}) {{ {connection} }}")
    return f"query Q {{ {' '.join(roots)} }}\n" + "\n".join(fragments)


@random_examples
@given(query=_document())
async def test_a_random_selection_of_work_answers_the_same_on_both_paths(
    query: str, settings: Settings, make_client: MakeClient
) -> None:
    await assert_both_paths_agree(query, settings, make_client)
