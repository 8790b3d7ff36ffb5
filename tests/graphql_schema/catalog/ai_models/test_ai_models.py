"""The AI-model register over GraphQL: register, change, evaluate, approve, flag the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.models import AIModel, AIModelStatus, Evaluation, EvaluationKind
from core.clock import utcnow
from core.history import RecordVersion
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from tests.builders.ai_models import add_evaluation, create_ai_model
from tests.builders.catalog import create_service
from tests.builders.identity import create_person
from tests.conftest import StatementCounter
from tests.graphql import data

CREATE = """
mutation Create($input: CreateAIModelInput!) {
  createAIModel(input: $input) {
    aiModel {
      name purpose learnsFromLiveData inputClassification status evaluationCadenceDays version
      service { slug } ownerPerson { displayName } overdue failing latestEvaluations { kind }
    }
    userErrors { field code }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateAIModelInput!) {
  updateAIModel(input: $input) {
    aiModel { name evaluationCadenceDays learnsFromLiveData version }
    userErrors { field code }
  }
}
"""
TRANSITION = """
mutation Transition($input: TransitionAIModelInput!) {
  transitionAIModel(input: $input) {
    aiModel { status version }
    userErrors { field code message }
  }
}
"""
RECORD = """
mutation Record($input: RecordEvaluationInput!) {
  recordEvaluation(input: $input) {
    evaluation { kind metric comparator threshold value passed datasetRef evaluator }
    userErrors { field code }
  }
}
"""
IMPORT = """
mutation Import($input: ImportEvaluationsInput!) {
  importEvaluations(input: $input) { created userErrors { field code message } }
}
"""
MODEL = """
query Model($id: ID!) {
  node(id: $id) {
    ... on AIModel {
      overdue failing
      latestEvaluations { kind value passed }
      evaluations(first: 10) { totalCount edges { node { kind value } } }
      fairness: evaluations(kind: FAIRNESS, first: 10) { totalCount }
      history(first: 10) { edges { node { version action changes { field from to } } } }
    }
  }
}
"""
SERVICE = """
query Service($slug: String!) {
  service(slug: $slug) { aiModelsAttention aiModels { name overdue failing } }
}
"""
LIST = """
query List($filter: AIModelFilter) {
  aiModels(filter: $filter, first: 10) { totalCount nodes { name } }
}
"""


def _id(model: AIModel) -> str:
    return global_id("AIModel", model.id)


async def _evaluate(
    client: httpx.AsyncClient, model: AIModel, kind: str, value: float, threshold: float
) -> dict[str, Any]:
    variables = {
        "input": {
            "modelId": _id(model),
            "kind": kind,
            "metric": kind.lower(),
            "value": value,
            "threshold": threshold,
        }
    }
    result: dict[str, Any] = (await data(client, RECORD, variables))["recordEvaluation"]
    return result


async def test_a_model_is_registered_proposed_on_its_service(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="lending")
    owner = await create_person(session, display_name="Priya Raman")

    body = await data(
        client,
        CREATE,
        {
            "input": {
                "serviceId": global_id("Service", service.id),
                "name": "Credit scorer",
                "purpose": "Scores loan applications",
                "ownerPersonId": global_id("Person", owner.id),
                "learnsFromLiveData": True,
                "inputClassification": "CONFIDENTIAL",
            }
        },
    )

    assert body == {
        "createAIModel": {
            "aiModel": {
                "name": "Credit scorer",
                "purpose": "Scores loan applications",
                "learnsFromLiveData": True,
                "inputClassification": "CONFIDENTIAL",
                "status": "PROPOSED",
                "evaluationCadenceDays": 90,
                "version": 1,
                "service": {"slug": "lending"},
                "ownerPerson": {"displayName": "Priya Raman"},
                "overdue": False,
                "failing": False,
                "latestEvaluations": [],
            },
            "userErrors": [],
        }
    }
    audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "createAIModel"))
    assert audit is not None
    assert (audit.target_type, audit.outcome.value) == ("AIModel", "SUCCESS")


async def test_a_duplicate_name_or_bad_cadence_is_refused_with_nothing_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session, name="Ranker")
    service_id = global_id("Service", model.service_id)
    base = {"serviceId": service_id, "inputClassification": "INTERNAL"}

    duplicate = await data(client, CREATE, {"input": {**base, "name": "Ranker"}})
    cadence = await data(
        client, CREATE, {"input": {**base, "name": "Other", "evaluationCadenceDays": 0}}
    )

    assert duplicate["createAIModel"] == {
        "aiModel": None,
        "userErrors": [{"field": ["name"], "code": "DUPLICATE"}],
    }
    assert cadence["createAIModel"] == {
        "aiModel": None,
        "userErrors": [{"field": ["evaluationCadenceDays"], "code": "INVALID"}],
    }
    count = await session.scalar(select(func.count()).select_from(AIModel))
    assert count == 1


async def test_an_update_changes_given_fields_and_is_kept_in_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session, name="Ranker")

    body = await data(
        client,
        UPDATE,
        {"input": {"id": _id(model), "version": 1, "evaluationCadenceDays": 30}},
    )
    history = await data(client, MODEL, {"id": _id(model)})

    assert body["updateAIModel"] == {
        "aiModel": {
            "name": "Ranker",
            "evaluationCadenceDays": 30,
            "learnsFromLiveData": False,
            "version": 2,
        },
        "userErrors": [],
    }
    versions = [edge["node"] for edge in history["node"]["history"]["edges"]]
    assert versions[0] == {
        "version": 2,
        "action": "UPDATE",
        "changes": [{"field": "evaluationCadenceDays", "from": 90, "to": 30}],
    }
    assert [item["action"] for item in versions] == ["UPDATE", "CREATE"]


async def test_approval_is_refused_without_evaluations_then_allowed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session)
    approve = {"input": {"id": _id(model), "version": 1, "status": "APPROVED"}}

    refused = await data(client, TRANSITION, approve)
    accuracy = await _evaluate(client, model, "ACCURACY", 0.93, 0.9)
    unfair = await _evaluate(client, model, "FAIRNESS", 0.7, 0.8)
    still_refused = await data(client, TRANSITION, approve)
    fair = await _evaluate(client, model, "FAIRNESS", 0.85, 0.8)
    approved = await data(client, TRANSITION, approve)

    assert refused["transitionAIModel"] == {
        "aiModel": None,
        "userErrors": [
            {
                "field": ["status"],
                "code": "EVALUATION_REQUIRED",
                "message": "approval needs a passing ACCURACY and FAIRNESS evaluation within"
                " the last 90 days",
            }
        ],
    }
    assert accuracy["evaluation"]["passed"] is True
    assert unfair["evaluation"]["passed"] is False
    assert still_refused["transitionAIModel"]["userErrors"][0]["code"] == "EVALUATION_REQUIRED"
    assert "FAIRNESS" in still_refused["transitionAIModel"]["userErrors"][0]["message"]
    assert fair["evaluation"]["passed"] is True
    assert approved["transitionAIModel"] == {
        "aiModel": {"status": "APPROVED", "version": 2},
        "userErrors": [],
    }


async def test_a_retired_model_cannot_come_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session, status=AIModelStatus.RETIRED)

    body = await data(
        client, TRANSITION, {"input": {"id": _id(model), "version": 1, "status": "APPROVED"}}
    )

    assert body["transitionAIModel"]["userErrors"] == [
        {
            "field": ["status"],
            "code": "INVALID_TRANSITION",
            "message": "a RETIRED model cannot become APPROVED (next: none: it is final)",
        }
    ]


async def test_an_evaluation_is_recorded_with_its_defaults(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session)

    body = await data(
        client,
        RECORD,
        {
            "input": {
                "modelId": _id(model),
                "kind": "DRIFT",
                "metric": "psi",
                "value": 0.31,
                "threshold": 0.2,
                "datasetRef": "s3://evals/2026-10",
            }
        },
    )

    evaluator = body["recordEvaluation"]["evaluation"].pop("evaluator")
    assert evaluator.startswith("person:")  # the dev ADMIN, as history names it
    assert body["recordEvaluation"] == {
        "evaluation": {
            "kind": "DRIFT",
            "metric": "psi",
            "comparator": "AT_MOST",
            "threshold": 0.2,
            "value": 0.31,
            "passed": False,
            "datasetRef": "s3://evals/2026-10",
        },
        "userErrors": [],
    }


async def test_bad_evaluations_are_refused_on_their_fields_with_nothing_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session)
    future = (utcnow() + timedelta(days=1)).isoformat()

    body = await data(
        client,
        RECORD,
        {
            "input": {
                "modelId": _id(model),
                "kind": "ACCURACY",
                "metric": " ",
                "value": 93,
                "evaluatedAt": future,
            }
        },
    )
    negative = await data(
        client,
        RECORD,
        {
            "input": {
                "modelId": _id(model),
                "kind": "DRIFT",
                "metric": "psi",
                "value": 0.1,
                "threshold": -1,
            }
        },
    )

    assert body["recordEvaluation"] == {
        "evaluation": None,
        "userErrors": [
            {"field": ["metric"], "code": "REQUIRED"},
            {"field": ["value"], "code": "INVALID"},
            {"field": ["threshold"], "code": "REQUIRED"},
            {"field": ["evaluatedAt"], "code": "INVALID"},
        ],
    }
    assert negative["recordEvaluation"]["userErrors"] == [
        {"field": ["threshold"], "code": "INVALID"}
    ]
    assert await session.scalar(select(func.count()).select_from(Evaluation)) == 0


async def test_overdue_and_failing_models_flag_their_service(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="claims")
    quiet = await create_service(session, slug="quiet")
    long_ago = utcnow() - timedelta(days=120)
    overdue = await create_ai_model(
        session, service_id=service.id, name="Overdue", created_at=long_ago
    )
    failing = await create_ai_model(session, service_id=service.id, name="Failing")
    await add_evaluation(session, failing, EvaluationKind.FAIRNESS, value=0.6, threshold=0.8)
    await create_ai_model(session, service_id=quiet.id, name="Fine")

    claims = await data(client, SERVICE, {"slug": "claims"})
    fine = await data(client, SERVICE, {"slug": "quiet"})
    flagged = await data(client, LIST, {"filter": {"attention": True}})
    unflagged = await data(client, LIST, {"filter": {"attention": False}})
    model = await data(client, MODEL, {"id": _id(overdue)})

    assert claims["service"] == {
        "aiModelsAttention": True,
        "aiModels": [
            {"name": "Failing", "overdue": False, "failing": True},
            {"name": "Overdue", "overdue": True, "failing": False},
        ],
    }
    assert fine["service"] == {
        "aiModelsAttention": False,
        "aiModels": [{"name": "Fine", "overdue": False, "failing": False}],
    }
    assert flagged["aiModels"] == {
        "totalCount": 2,
        "nodes": [{"name": "Failing"}, {"name": "Overdue"}],
    }
    assert unflagged["aiModels"] == {"totalCount": 1, "nodes": [{"name": "Fine"}]}
    assert model["node"]["overdue"] is True


async def test_evaluations_page_newest_first_and_by_kind(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session)
    now = utcnow()
    for days, kind, value in (
        (3, EvaluationKind.ACCURACY, 0.8),
        (2, EvaluationKind.FAIRNESS, 0.9),
        (1, EvaluationKind.ACCURACY, 0.95),
    ):
        await add_evaluation(
            session, model, kind, value=value, threshold=0.9, at=now - timedelta(days=days)
        )

    body = await data(client, MODEL, {"id": _id(model)})

    node = body["node"]
    assert node["latestEvaluations"] == [
        {"kind": "ACCURACY", "value": 0.95, "passed": True},
        {"kind": "FAIRNESS", "value": 0.9, "passed": True},
    ]
    assert node["evaluations"] == {
        "totalCount": 3,
        "edges": [
            {"node": {"kind": "ACCURACY", "value": 0.95}},
            {"node": {"kind": "FAIRNESS", "value": 0.9}},
            {"node": {"kind": "ACCURACY", "value": 0.8}},
        ],
    }
    assert node["fairness"] == {"totalCount": 1}
    assert node["failing"] is False


async def test_a_json_lines_import_stores_every_row(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="pricing")
    model = await create_ai_model(session, service_id=service.id, name="Quoter")
    content = (
        f'{{"model": "{_id(model)}", "kind": "ACCURACY", "metric": "auc", "threshold": 0.8,'
        ' "value": 0.91, "at": "2026-09-01T00:00:00Z"}\n'
        '{"model": "pricing/Quoter", "kind": "DRIFT", "metric": "psi", "threshold": 0.2,'
        ' "value": 0.05, "at": "2026-09-01T00:00:00Z", "dataset": "sep"}\n'
    )

    body = await data(client, IMPORT, {"input": {"format": "JSON_LINES", "content": content}})

    assert body["importEvaluations"] == {"created": 2, "userErrors": []}
    stored = await session.scalars(
        select(Evaluation).where(Evaluation.model_id == model.id).order_by(Evaluation.kind)
    )
    assert [(item.kind, item.passed, item.dataset_ref) for item in stored] == [
        (EvaluationKind.ACCURACY, True, None),
        (EvaluationKind.DRIFT, True, "sep"),
    ]


async def test_a_csv_import_with_bad_rows_stores_nothing_and_lists_each(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="pricing")
    await create_ai_model(session, service_id=service.id, name="Quoter")
    content = (
        "model,kind,metric,threshold,value,at\n"
        "pricing/Quoter,ACCURACY,auc,0.8,0.9,2026-09-01T00:00:00Z\n"
        "pricing/Quoter,ACCURACY,auc,,0.9,2026-09-01T00:00:00Z\n"
        "pricing/Quoter,FAIRNESS,parity,0.8,1.7,2026-09-01T00:00:00Z\n"
        "pricing/Quoter,CORRECTNESS,x,0.8,0.9,2026-09-01T00:00:00Z\n"
        "pricing/Nope,ACCURACY,auc,0.8,0.9,2026-09-01T00:00:00Z\n"
    )

    body = await data(client, IMPORT, {"input": {"format": "CSV", "content": content}})

    assert body["importEvaluations"] == {
        "created": None,
        "userErrors": [
            {
                "field": ["rows", "1", "threshold"],
                "code": "REQUIRED",
                "message": "line 3: an evaluation needs its threshold",
            },
            {
                "field": ["rows", "2", "value"],
                "code": "INVALID",
                "message": "line 4: a FAIRNESS value is from 0 to 1",
            },
            {
                "field": ["rows", "3", "kind"],
                "code": "INVALID",
                "message": "line 5: unknown kind CORRECTNESS; one of ACCURACY, FAIRNESS, DRIFT,"
                " SAFETY",
            },
            {
                "field": ["rows", "4", "model"],
                "code": "NOT_FOUND",
                "message": "line 6: no such AI model",
            },
        ],
    }
    assert await session.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert (
        await session.scalar(
            select(func.count()).where(RecordVersion.table_name == "ai_model_evaluation")
        )
        == 0
    )


CONFIRM = """
mutation Confirm($input: ConfirmReviewInput!) {
  confirmReview(input: $input) {
    reviewed { __typename stale lastReviewedAt reviewIntervalDays ... on AIModel { name } }
    userErrors { code }
  }
}
"""


async def test_confirm_review_makes_a_stale_model_fresh(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session, name="Stale", created_at=utcnow() - timedelta(days=200))
    before = await data(
        client, "query($id: ID!) { node(id: $id) { ... on AIModel { stale } } }", {"id": _id(model)}
    )

    body = await data(client, CONFIRM, {"input": {"id": _id(model)}})

    assert before == {"node": {"stale": True}}
    reviewed = body["confirmReview"]["reviewed"]
    assert reviewed.pop("lastReviewedAt") is not None
    assert body["confirmReview"] == {
        "reviewed": {
            "__typename": "AIModel",
            "stale": False,
            "reviewIntervalDays": 180,
            "name": "Stale",
        },
        "userErrors": [],
    }


KPI = """
query Kpi($scopeId: ID) {
  kpiSummary(scope: TEAM, scopeId: $scopeId) { serviceCount aiModelsAttention }
}
"""


async def test_kpi_summary_counts_the_scopes_models_needing_attention(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    failing = await create_ai_model(session, service_id=service.id, name="Failing")
    await add_evaluation(session, failing, EvaluationKind.ACCURACY, value=0.5, threshold=0.9)
    await create_ai_model(session, service_id=service.id, name="Fine")
    await create_ai_model(
        session,
        service_id=service.id,
        name="Retired",
        status=AIModelStatus.RETIRED,
        created_at=utcnow() - timedelta(days=400),
    )
    elsewhere = await create_ai_model(session, name="Elsewhere")
    await add_evaluation(session, elsewhere, EvaluationKind.SAFETY, value=0.5, threshold=0.9)

    body = await data(client, KPI, {"scopeId": global_id("Team", service.owner_team_id)})

    assert body == {"kpiSummary": {"serviceCount": 1, "aiModelsAttention": 1}}


PAGE = """
query Page {
  services(first: 50) {
    nodes {
      aiModelsAttention
      aiModels { name overdue failing ownerPerson { displayName } latestEvaluations { kind } }
    }
  }
}
"""


async def _services_with_models(session: AsyncSession, count: int) -> None:
    owner = await create_person(session)
    for _ in range(count):
        service = await create_service(session)
        model = await create_ai_model(session, service_id=service.id, owner_person_id=owner.id)
        await add_evaluation(session, model, EvaluationKind.ACCURACY, value=0.9, threshold=0.8)


async def test_a_page_of_services_costs_the_same_statements_for_two_or_twenty(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await _services_with_models(session, 2)
    await data(client, PAGE)  # the first request also signs the caller in
    count_statements.reset()
    await data(client, PAGE)
    few = count_statements.count

    await _services_with_models(session, 18)
    count_statements.reset()
    body = await data(client, PAGE)

    assert len(body["services"]["nodes"]) == 20
    assert count_statements.count == few
