"""Random valid selections over everything service levels declare for the compiled path,
asked of their connections over stored SLAs and events (integer keys, tied moments,
objectives of every shape): both paths answer the same JSON."""

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
from tests.graphql_schema.service_levels.test_compiled_service_levels import agreed

ROOTS: dict[str, tuple[str, list[str]]] = {
    "slas": ("Sla", ["", "filter: {includeArchived: true}"]),
    "staleSlas": ("Sla", [""]),
    "slaEvents": ("SlaEvent", ["", "filter: {kinds: [SLA_BREACHED, SLA_RECOVERED]}"]),
    "services": ("Service", [""]),
}

pytestmark = pytest.mark.usefixtures(agreed.__name__)


@random_examples
@given(query=connections(ROOTS))
async def test_a_random_selection_of_service_levels_answers_the_same_on_both_paths(
    query: str, settings: Settings, make_client: MakeClient
) -> None:
    await assert_both_paths_agree(query, settings, make_client)
