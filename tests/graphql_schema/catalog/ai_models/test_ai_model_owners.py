"""Only a model's owner person, its service's owner team or an ADMIN change it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.models import AIModel, Evaluation
from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from tests.builders.ai_models import create_ai_model
from tests.builders.catalog import create_service
from tests.builders.identity import create_membership, create_person, create_team
from tests.graphql import without_cost
from tests.identity.idp import TestIssuer

RECORD = """
mutation Record($input: RecordEvaluationInput!) {
  recordEvaluation(input: $input) { evaluation { passed evaluator } userErrors { code } }
}
"""
UPDATE = """
mutation Update($input: UpdateAIModelInput!) {
  updateAIModel(input: $input) { aiModel { name } userErrors { code } }
}
"""
IMPORT = """
mutation Import($input: ImportEvaluationsInput!) {
  importEvaluations(input: $input) { created userErrors { code } }
}
"""


async def _post(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return without_cost(response.json())


def _evaluation(model: AIModel) -> dict[str, Any]:
    return {
        "input": {
            "modelId": global_id("AIModel", model.id),
            "kind": "ACCURACY",
            "metric": "accuracy",
            "threshold": 0.9,
            "value": 0.95,
        }
    }


async def test_a_member_of_another_team_is_refused_and_audited(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="ted")
    own_team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=own_team.id)
    model = await create_ai_model(session, name="Scorer")
    token = issuer.token(sub="ted")

    recorded = await _post(oidc_client, token, RECORD, _evaluation(model))
    renamed = await _post(
        oidc_client,
        token,
        UPDATE,
        {"input": {"id": global_id("AIModel", model.id), "version": 1, "name": "Mine"}},
    )

    for body in (recorded, renamed):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await session.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert await session.scalar(select(AIModel.name).where(AIModel.id == model.id)) == "Scorer"
    denied = await session.scalar(
        select(func.count()).where(
            AuditEvent.action == "recordEvaluation", AuditEvent.outcome == AuditOutcome.DENIED
        )
    )
    assert denied == 1


async def test_the_models_owner_person_may_evaluate_it_outside_the_team(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    owner = await create_person(session, issuer=issuer.issuer, subject="priya")
    await create_membership(session, person_id=owner.id, team_id=(await create_team(session)).id)
    model = await create_ai_model(session, owner_person_id=owner.id)

    body = await _post(oidc_client, issuer.token(sub="priya"), RECORD, _evaluation(model))

    assert body == {
        "data": {
            "recordEvaluation": {
                "evaluation": {"passed": True, "evaluator": f"person:{owner.id}"},
                "userErrors": [],
            }
        }
    }


async def test_a_member_of_the_owner_team_may_change_the_model(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="uma")
    team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=team.id)
    service = await create_service(session, owner_team_id=team.id)
    model = await create_ai_model(session, service_id=service.id)

    body = await _post(
        oidc_client,
        issuer.token(sub="uma"),
        UPDATE,
        {"input": {"id": global_id("AIModel", model.id), "version": 1, "name": "Renamed"}},
    )

    assert body == {"data": {"updateAIModel": {"aiModel": {"name": "Renamed"}, "userErrors": []}}}


async def test_an_import_naming_another_teams_model_is_refused_whole(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    person = await create_person(session, issuer=issuer.issuer, subject="vic")
    team = await create_team(session)
    await create_membership(session, person_id=person.id, team_id=team.id)
    own = await create_service(session, slug="own", owner_team_id=team.id)
    await create_ai_model(session, service_id=own.id, name="Mine")
    foreign = await create_service(session, slug="foreign")
    await create_ai_model(session, service_id=foreign.id, name="Theirs")
    content = (
        "model,kind,metric,threshold,value,at\n"
        "own/Mine,ACCURACY,auc,0.8,0.9,2026-09-01T00:00:00Z\n"
        "foreign/Theirs,ACCURACY,auc,0.8,0.9,2026-09-01T00:00:00Z\n"
    )

    body = await _post(
        oidc_client,
        issuer.token(sub="vic"),
        IMPORT,
        {"input": {"format": "CSV", "content": content}},
    )

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "foreign/Theirs" in body["errors"][0]["message"]
    assert await session.scalar(select(func.count()).select_from(Evaluation)) == 0
