"""schemathesis against the app over the demo organisation: every query and mutation as ADMIN and
as an anonymous caller, and every operation of `/openapi.json` (POST /api/feedback).

Bounded (harness.KNOBS): a few cases per operation from a fixed seed, each run under a
time cap. The checks (tests/fuzz/harness.py): no 5xx and no INTERNAL_SERVER_ERROR, nothing past
the execution timeout, responses that conform to the schema.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphql_schema.schema import build_schema
from tests.fuzz import harness
from tests.fuzz.harness import KNOBS

pytestmark = pytest.mark.fuzz

# The least the three runs send together, in CI.
MIN_CASES = 1000
# /graphql is in /openapi.json too; its statuses depend on the request's Accept (GraphQL
# over HTTP), so there only server errors and the time limit are checked.
REST_OPERATIONS = {
    "POST /api/feedback": harness.rest_checks(),
    "POST /api/backups": harness.rest_checks(),
    "GET /calendar/releases.ics": harness.rest_checks(),
    "GET /graphql": harness.rest_server_checks(),
    "POST /graphql": harness.rest_server_checks(),
}


def _graphql_operations() -> list[str]:
    schema = build_schema()._schema
    return [
        f"{root.name}.{name}"
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for name in root.fields
        if not name.startswith("_")  # federation's `_service` and `_entities`
    ]


GRAPHQL_OPERATIONS = _graphql_operations()


@pytest.mark.parametrize("label", GRAPHQL_OPERATIONS)
def test_graphql_as_admin(
    label: str, graphql_api: Any, admin_headers: dict[str, str], fuzz_run: harness.Run
) -> None:
    type_name, field = label.split(".")
    harness.fuzz_operation(
        fuzz_run,
        graphql_api[type_name][field],
        examples=KNOBS.examples,
        seed=KNOBS.seed,
        checks=harness.graphql_checks(),
        headers=admin_headers,
    )


@pytest.mark.parametrize("label", GRAPHQL_OPERATIONS)
def test_graphql_as_anonymous(label: str, graphql_api: Any, fuzz_run: harness.Run) -> None:
    type_name, field = label.split(".")
    harness.fuzz_operation(
        fuzz_run,
        graphql_api[type_name][field],
        examples=KNOBS.examples,
        seed=KNOBS.seed,
        checks=harness.graphql_checks(),
    )


@pytest.mark.parametrize("label", REST_OPERATIONS)
def test_rest_as_admin(
    label: str, rest_api: Any, admin_headers: dict[str, str], fuzz_run: harness.Run
) -> None:
    method, path = label.split(" ")
    # Backup tools authenticate with a token of their own, not as a person.
    webhook = {"Authorization": f"Bearer {harness.BACKUP_WEBHOOK_TOKEN}"}
    harness.fuzz_operation(
        fuzz_run,
        rest_api[path][method],
        examples=KNOBS.examples * 10,
        seed=KNOBS.seed,
        checks=REST_OPERATIONS[label],
        headers=webhook if path == "/api/backups" else admin_headers,
    )


def test_every_rest_operation_is_fuzzed(rest_api: Any) -> None:
    served = {f"{method.upper()} {path}" for path in rest_api for method in rest_api[path]}
    assert served == set(REST_OPERATIONS)


def test_the_runs_sent_enough_cases(fuzz_runs: dict[str, harness.Run]) -> None:
    if set(fuzz_runs) != {"graphql_as_admin", "graphql_as_anonymous", "rest_as_admin"}:
        pytest.skip("only after all three runs")
    summaries = [run.summary() for run in fuzz_runs.values()]
    assert sum(run.total for run in fuzz_runs.values()) >= MIN_CASES, summaries
