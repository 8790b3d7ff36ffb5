"""The AI-model register on the compiled read path: models and their latest evaluations
answer the resolvers' JSON and cursors (tied names, whole and fractional floats, evaluations
tied on their moment, an owner or none, RETIRED models neither overdue nor failing) from one
statement; `evaluations` (a connection) and `history` stay with the resolvers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.models import AIModelStatus, EvaluationKind
from core.clock import utcnow
from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from graphql_schema.node import global_id
from tests.builders.ai_models import add_evaluation, create_ai_model
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.graphql import gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]
Clients = tuple[httpx.AsyncClient, httpx.AsyncClient]

EVALUATION = """
  __typename id kind metric comparator threshold value passed datasetRef evaluatedAt evaluator
"""
MODEL = f"""
  __typename id name purpose learnsFromLiveData inputClassification status
  evaluationCadenceDays version createdAt updatedAt
  reviewIntervalDays lastReviewedAt reviewDueAt stale overdue failing
  service {{ id slug name }} ownerPerson {{ id displayName }}
  latestEvaluations {{ {EVALUATION} }}
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
MODELS = f"""
query($first: Int, $after: String, $filter: AIModelFilter) {{
  aiModels(first: $first, after: $after, filter: $filter) {{
    totalCount edges {{ cursor node {{ {MODEL} }} }} {PAGE_INFO}
  }}
}}
"""
STALE = f"{{ staleAIModels {{ totalCount nodes {{ {MODEL} }} {PAGE_INFO} }} }}"
SERVICES = f"{{ services {{ nodes {{ slug aiModelsAttention aiModels {{ {MODEL} }} }} }} }}"
SERVICE = """query($slug: String!) {
  service(slug: $slug) { aiModelsAttention aiModels { name overdue failing } }
}"""


@pytest.fixture
async def register(session: AsyncSession) -> dict[str, str]:
    """Two live services and an archived one; models with tied names, evaluations of every
    kind (two tied on their moment), a RETIRED failing one, a stale one, one overdue for
    DRIFT."""
    now = utcnow()
    long_ago = now - timedelta(days=400)
    checkout = await create_service(session, slug="checkout", name="Checkout")
    billing = await create_service(session, slug="billing", name="Billing")
    archived = await create_service(session, slug="gone", name="Gone", archived_at=now)
    owner = await create_person(session, display_name="Ärzte & Co")

    scorer = await create_ai_model(
        session,
        service_id=checkout.id,
        name="Scorer",
        purpose='Line one\nand "quotes"',
        owner_person_id=owner.id,
        status=AIModelStatus.APPROVED,
    )
    at = now - timedelta(days=1)
    await add_evaluation(session, scorer, EvaluationKind.ACCURACY, value=0.9, threshold=0.85, at=at)
    # Two FAIRNESS evaluations at the same moment: the larger id is the latest.
    for key, value in ((2, 0.5), (1, 1.0)):
        await add_evaluation(
            session,
            scorer,
            EvaluationKind.FAIRNESS,
            value=value,
            threshold=0.8,
            at=at,
            id=uuid.UUID(int=key),
        )
    await add_evaluation(
        session,
        scorer,
        EvaluationKind.ACCURACY,
        value=0.95,
        threshold=1.0,
        at=now - timedelta(days=30),
        dataset_ref="s3://eval/2026-11",
    )
    await add_evaluation(session, scorer, EvaluationKind.SAFETY, value=2.0, threshold=1.5, at=at)

    learner = await create_ai_model(
        session,
        service_id=billing.id,
        name="Scorer",
        learns_from_live_data=True,
        created_at=long_ago,
        review_interval_days=30,
        last_reviewed_at=now - timedelta(days=40),
    )
    for kind in (EvaluationKind.ACCURACY, EvaluationKind.FAIRNESS):
        await add_evaluation(session, learner, kind, value=0.99, threshold=0.9, at=at)

    retired = await create_ai_model(
        session,
        service_id=billing.id,
        name="Ärchive",
        status=AIModelStatus.RETIRED,
        created_at=long_ago,
    )
    await add_evaluation(session, retired, EvaluationKind.DRIFT, value=0.5, threshold=0.1, at=at)
    await create_ai_model(session, service_id=checkout.id, name="Fresh")
    await create_ai_model(session, service_id=archived.id, name="Orphan", created_at=long_ago)
    await session.flush()
    return {"checkout": global_id("Service", checkout.id)}


async def _clients(settings: Settings, make_client: MakeClient) -> Clients:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    return compiled, resolved


async def _both(
    clients: Clients,
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


async def test_ai_models_page_with_their_latest_evaluations_as_the_resolvers_do(
    register: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    first = (await _both(clients, MODELS, {"first": 2}))["data"]["aiModels"]
    after = first["pageInfo"]["endCursor"]
    rest = (await _both(clients, MODELS, {"first": 5, "after": after}))["data"]["aiModels"]

    nodes = [edge["node"] for edge in first["edges"] + rest["edges"]]
    assert first["totalCount"] == 4
    assert [node["name"] for node in nodes] == ["Fresh", "Scorer", "Scorer", "Ärchive"]
    by_service = {node["service"]["slug"]: node for node in nodes if node["name"] == "Scorer"}
    scorer, learner = by_service["checkout"], by_service["billing"]
    assert [(e["kind"], e["value"], e["passed"]) for e in scorer["latestEvaluations"]] == [
        ("ACCURACY", 0.9, True),
        ("FAIRNESS", 0.5, False),
        ("SAFETY", 2.0, True),
    ]
    assert (scorer["overdue"], scorer["failing"], scorer["stale"]) == (False, True, False)
    assert (learner["overdue"], learner["failing"], learner["stale"]) == (True, False, True)
    assert learner["ownerPerson"] is None
    retired = nodes[-1]
    assert (retired["overdue"], retired["failing"]) == (False, False)


@pytest.mark.parametrize(
    ("filter", "names"),
    [
        ({"attention": True}, ["Scorer", "Scorer"]),
        ({"attention": False}, ["Fresh", "Ärchive"]),
        ({"status": "APPROVED"}, ["Scorer"]),
        ({"status": "RETIRED", "attention": False}, ["Ärchive"]),
        ("checkout", ["Fresh", "Scorer"]),
    ],
)
async def test_the_filters_compile_as_the_resolver_applies_them(
    register: dict[str, str],
    settings: Settings,
    make_client: MakeClient,
    filter: dict[str, Any] | str,
    names: list[str],
) -> None:
    given = {"serviceId": register[filter]} if isinstance(filter, str) else filter
    clients = await _clients(settings, make_client)

    body = await _both(clients, MODELS, {"filter": given})

    assert [edge["node"]["name"] for edge in body["data"]["aiModels"]["edges"]] == names


async def test_stale_models_and_a_services_models_compile(
    register: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)

    stale = (await _both(clients, STALE))["data"]["staleAIModels"]
    services = (await _both(clients, SERVICES))["data"]["services"]["nodes"]
    one = await _both(clients, SERVICE, {"slug": "checkout"})

    assert [node["service"]["slug"] for node in stale["nodes"]] == ["billing"]
    flags = {node["slug"]: node["aiModelsAttention"] for node in services}
    assert flags == {"checkout": True, "billing": True}
    listed = {node["slug"]: [model["name"] for model in node["aiModels"]] for node in services}
    assert listed == {"checkout": ["Fresh", "Scorer"], "billing": ["Scorer", "Ärchive"]}
    assert one["data"]["service"]["aiModels"][0] == {
        "name": "Fresh",
        "overdue": False,
        "failing": False,
    }


async def test_evaluations_and_history_fall_back_to_the_resolvers_per_field(
    register: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    query = f"""{{ aiModels(first: 5) {{ nodes {{
      name evaluations(first: 2) {{ totalCount nodes {{ {EVALUATION} }} }}
      history(first: 1) {{ totalCount }} }} }} }}"""

    body = await _both(clients, query, resolved_inside=True)

    counts = [node["evaluations"]["totalCount"] for node in body["data"]["aiModels"]["nodes"]]
    assert sorted(counts) == [0, 1, 2, 5]


async def test_a_bad_service_id_is_refused_as_the_resolver_refuses_it(
    register: dict[str, str], settings: Settings, make_client: MakeClient
) -> None:
    compiled, resolved = await _clients(settings, make_client)
    variables = {"filter": {"serviceId": "nonsense"}}

    answer = await gql(compiled, MODELS, variables)
    expected = await gql(resolved, MODELS, variables)

    assert answer["errors"], answer
    assert json.dumps(answer) == json.dumps(expected)
