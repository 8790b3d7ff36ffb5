"""SLAs, objectives and SLA events on the compiled read path: their stored parts answer the
resolvers' JSON and cursors (integer event keys, tied moments, whole and fractional targets,
benchmarks and scopes present or not) from one statement; what an objective answers is
computed, and stays with the resolvers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from graphql_schema.node import global_id
from service_levels.models import (
    Comparator,
    Metric,
    Objective,
    Sla,
    SlaEvent,
    SlaEventKind,
    WindowKind,
)
from tests.builders.catalog import create_service
from tests.conftest import StatementCounter
from tests.graphql import data, gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

AT = datetime(2026, 11, 10, 12, 0, 0, 250000, tzinfo=UTC)
OBJECTIVE = """
  __typename id metric comparator target version
  benchmark { value date } window { kind days } scope { severity priority requestKind }
"""
SLA = f"""
  __typename id name description archivedAt version createdAt updatedAt
  reviewIntervalDays lastReviewedAt reviewDueAt stale
  service {{ id slug name }}
  objectives {{ {OBJECTIVE} }}
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
SLAS = f"""
query($first: Int, $after: String, $filter: SlaFilter) {{
  slas(first: $first, after: $after, filter: $filter) {{
    totalCount edges {{ cursor node {{ {SLA} }} }} {PAGE_INFO}
  }}
}}
"""
STALE = f"{{ staleSlas {{ totalCount nodes {{ {SLA} }} {PAGE_INFO} }} }}"
SERVICES = f"{{ services {{ nodes {{ slug slas {{ {SLA} }} }} }} }}"
EVENT = """
  __typename id kind value target errorBudget at window { start end }
  objective { id metric target } sla { id name } service { slug }
"""
EVENTS = f"""
query($first: Int, $after: String, $last: Int, $before: String, $filter: SlaEventFilter) {{
  slaEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {{
    totalCount edges {{ cursor node {{ {EVENT} }} }} {PAGE_INFO}
  }}
}}
"""


def _objective(sla: Sla, position: int, **values: Any) -> Objective:
    return Objective(
        sla_id=sla.id,
        position=position,
        **{
            "metric": Metric.CLOCK_ATTAINMENT,
            "comparator": Comparator.AT_LEAST,
            "target": 0.95,
            "window_kind": WindowKind.CALENDAR_MONTH,
            **values,
        },
    )


@pytest.fixture
async def agreed(session: AsyncSession) -> dict[str, str]:
    """Two services; a live SLA with objectives of every shape (the positions tie), a stale
    one, an archived one; five events, two of them at the same moment."""
    checkout = await create_service(session, slug="checkout", name="Checkout")
    billing = await create_service(session, slug="billing", name="Billing")
    gold = Sla(service_id=checkout.id, name="Gold", description='Line one\nand "quotes"')
    stale = Sla(
        service_id=checkout.id,
        name="Ärzte",
        review_interval_days=30,
        last_reviewed_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    archived = Sla(service_id=billing.id, name="Old", archived_at=AT)
    session.add_all([gold, stale, archived])
    await session.flush()
    objectives = [
        _objective(gold, 0, target=1.0, benchmark_value=0.9, benchmark_date=date(2026, 1, 5)),
        _objective(
            gold,
            0,
            metric=Metric.MTTR,
            comparator=Comparator.AT_MOST,
            target=3600.0,
            window_kind=WindowKind.ROLLING_DAYS,
            window_days=28,
            scope_severity="SEV1",
        ),
        _objective(gold, 1, benchmark_value=12.5, scope_priority=""),
        _objective(stale, 0, metric=Metric.SATISFACTION, target=4.25),
        _objective(archived, 0),
    ]
    session.add_all(objectives)
    await session.flush()
    for index, (objective, kind, at) in enumerate(
        (
            (objectives[0], SlaEventKind.SLA_AT_RISK, AT),
            (objectives[0], SlaEventKind.SLA_BREACHED, AT),
            (objectives[1], SlaEventKind.SLA_RECOVERED, AT - timedelta(hours=1)),
            (objectives[3], SlaEventKind.SLA_BREACHED, AT + timedelta(minutes=1)),
            (objectives[4], SlaEventKind.SLA_AT_RISK, AT - timedelta(days=1)),
        )
    ):
        session.add(
            SlaEvent(
                objective_id=objective.id,
                sla_id=objective.sla_id,
                service_id=checkout.id if objective.sla_id != archived.id else billing.id,
                kind=kind,
                window_start=datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=index),
                window_end=datetime(2026, 12, 1, tzinfo=UTC),
                value=None if index == 2 else 0.5 + index,
                target=objective.target,
                error_budget=None if index else -0.25,
                at=at,
            )
        )
    await session.flush()
    return {"checkout": global_id("Service", checkout.id), "gold": global_id("Sla", gold.id)}


async def _clients(
    settings: Settings, make_client: MakeClient
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    return compiled, resolved


async def _both(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    resolved_inside: bool = False,
) -> dict[str, Any]:
    compiled, resolved = clients
    answer = await gql(compiled, query, variables, headers={PLAN_HEADER: "1"})
    plan = answer.pop("extensions", {}).get("plan")
    assert plan is not None, answer
    assert plan["path"] == "compiled", plan
    assert ("resolved" in plan) is resolved_inside, plan
    expected = await gql(resolved, query, variables)
    assert "errors" not in expected, expected["errors"]
    assert json.dumps(answer) == json.dumps(expected), _first_difference(expected, answer, ())
    return answer


async def test_slas_page_with_their_objectives_as_the_resolvers_do(
    agreed: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    first = (await _both(clients, SLAS, {"first": 1}))["data"]["slas"]
    assert first["totalCount"] == 2
    rest = await _both(clients, SLAS, {"first": 5, "after": first["pageInfo"]["endCursor"]})
    names = [edge["node"]["name"] for edge in first["edges"] + rest["data"]["slas"]["edges"]]
    assert names == ["Gold", "Ärzte"]

    gold = first["edges"][0]["node"]
    assert gold["stale"] is False
    assert [objective["target"] for objective in gold["objectives"]][2] == 0.95
    shapes = [(o["benchmark"], o["window"], o["scope"]) for o in gold["objectives"]]
    assert {"value": 0.9, "date": "2026-01-05"} in [shape[0] for shape in shapes]
    assert {"kind": "ROLLING_DAYS", "days": 28} in [shape[1] for shape in shapes]
    # A scope of empty strings is no scope, as `from_model` reads it.
    assert [shape[2] for shape in shapes].count(None) == 2

    archived = {"includeArchived": True, "serviceId": None}
    every = await _both(clients, SLAS, {"filter": archived})
    assert every["data"]["slas"]["totalCount"] == 3
    mine = await _both(clients, SLAS, {"filter": {"serviceId": agreed["checkout"]}})
    assert mine["data"]["slas"]["totalCount"] == 2


async def test_stale_slas_and_a_services_live_slas_compile(
    agreed: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    stale = (await _both(clients, STALE))["data"]["staleSlas"]
    assert [node["name"] for node in stale["nodes"]] == ["Ärzte"]
    assert stale["nodes"][0]["stale"] is True

    services = (await _both(clients, SERVICES))["data"]["services"]["nodes"]
    slas = {node["slug"]: [sla["name"] for sla in node["slas"]] for node in services}
    assert slas == {"billing": [], "checkout": ["Gold", "Ärzte"]}


async def test_sla_events_page_by_integer_keys_with_the_resolvers_cursors(
    agreed: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    variables: dict[str, Any] = {"first": 2}
    while True:
        page = (await _both(clients, EVENTS, variables))["data"]["slaEvents"]
        pages.append(page)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5

    back = await _both(clients, EVENTS, {"last": 2, "before": pages[-1]["pageInfo"]["startCursor"]})
    assert [edge["node"]["id"] for edge in back["data"]["slaEvents"]["edges"]] == seen[2:4]

    kinds = {"kinds": ["SLA_BREACHED"], "slaId": agreed["gold"]}
    breached = await _both(clients, EVENTS, {"filter": kinds})
    assert breached["data"]["slaEvents"]["totalCount"] == 1


async def test_what_an_objective_answers_is_resolved_inside_compiled_objects(
    agreed: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    query = """{
      slas { nodes { name objectives { target status currentValue samples } } }
      slaEvents(first: 2) { nodes { kind objective { metric errorBudget } } }
    }"""
    body = await _both(clients, query, resolved_inside=True)
    assert body["data"]["slas"]["nodes"][0]["objectives"][0]["status"] == "NO_DATA"


async def test_arguments_the_resolvers_refuse_are_refused_alike(
    agreed: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    compiled, resolved = await _clients(settings, make_client)
    for query in (
        '{ slas(filter: {serviceId: "nope"}) { nodes { name } } }',
        f'{{ slaEvents(filter: {{slaId: "{agreed["checkout"]}"}}) {{ nodes {{ kind }} }} }}',
        '{ slaEvents(filter: {since: "2026-01-01T00:00:00"}) { nodes { kind } } }',
        '{ slaEvents(after: "nope") { nodes { kind } } }',
    ):
        answer = await gql(compiled, query)
        assert "errors" in answer, answer
        assert json.dumps(answer) == json.dumps(await gql(resolved, query)), query


# Per request, beside the domain reads: the harness's SET TRANSACTION READ ONLY
# (tests/bench_guard/test_statement_budget.py says why), and its savepoints.
_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET TRANSACTION")


def _domain_statements(counter: StatementCounter) -> list[str]:
    return [sql for sql in counter.statements if not sql.lstrip().upper().startswith(_HARNESS)]


@pytest.mark.read_path("compiled")
async def test_slas_and_events_with_every_relation_are_one_statement(
    agreed: dict[str, str], client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    await data(client, "{ __typename }")  # looks the development person up once
    for query, variables in (
        (SLAS, {"first": 1}),
        (SLAS, {"first": 5}),
        (STALE, {}),
        (SERVICES, {}),
        (EVENTS, {"first": 5}),
        (EVENTS, {"first": 2, "filter": {"kinds": ["SLA_AT_RISK"]}}),
    ):
        count_statements.reset()
        await data(client, query, variables)
        assert len(_domain_statements(count_statements)) == 1, count_statements.statements
