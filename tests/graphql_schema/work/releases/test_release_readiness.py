"""Seasonal readiness: each service assesses itself; the rest are listed as not ready."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_release
from tests.graphql import data
from work.releases.models import ReleaseKind, Season

ASSESS = """
mutation($input: AssessReadinessInput!) {
  assessReadiness(input: $input) {
    readinessAssessment {
      risk regressionTestStatus ready featuresToAdopt releaseUpdatesEnforced actions notes
      version service { slug } release { name }
    }
    userErrors { field code message }
  }
}
"""
NOT_READY = (
    "query($release: ID!) { servicesNotReadyFor(release: $release) { slug ownerTeam { slug } } }"
)
READINESS = """
query($id: ID!) { node(id: $id) { ... on Release { readiness { service { slug } ready } } } }
"""


def _id(record: Any) -> str:
    return global_id(type(record).__name__, record.id)


async def _seasonal(session: AsyncSession, *slugs: str) -> tuple[Any, list[Any]]:
    services = [await create_service(session, slug=slug, name=slug.title()) for slug in slugs]
    release = await create_release(
        session,
        owner_team_id=(await create_team(session)).id,
        kind=ReleaseKind.SALESFORCE_SEASONAL,
        name="Summer '26",
        season=Season.SUMMER,
        season_year=2026,
        sandbox_preview_on=date(2026, 5, 8),
        production_on=date(2026, 6, 13),
        service_ids=tuple(service.id for service in services),
    )
    return release, services


async def _assess(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await data(client, ASSESS, {"input": given}))["assessReadiness"]
    return payload


async def test_services_without_a_ready_assessment_are_listed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release, (billing, crm, portal) = await _seasonal(session, "billing", "crm", "portal")

    ready = await _assess(
        client,
        releaseId=_id(release),
        serviceId=_id(crm),
        risk="LOW",
        regressionTestStatus="PASSED",
        ready=True,
        featuresToAdopt=["Dynamic Forms on mobile"],
        releaseUpdatesEnforced=["Enforce Rollbacks for Apex Jobs"],
        actions=["Retrain agents"],
        notes="Sandbox preview done.",
    )
    await _assess(client, releaseId=_id(release), serviceId=_id(portal), risk="HIGH")
    not_ready = await data(client, NOT_READY, {"release": _id(release)})

    assert ready == {
        "readinessAssessment": {
            "risk": "LOW",
            "regressionTestStatus": "PASSED",
            "ready": True,
            "featuresToAdopt": ["Dynamic Forms on mobile"],
            "releaseUpdatesEnforced": ["Enforce Rollbacks for Apex Jobs"],
            "actions": ["Retrain agents"],
            "notes": "Sandbox preview done.",
            "version": 1,
            "service": {"slug": "crm"},
            "release": {"name": "Summer '26"},
        },
        "userErrors": [],
    }
    assert [service["slug"] for service in not_ready["servicesNotReadyFor"]] == [
        billing.slug,
        portal.slug,
    ]


async def test_assessing_again_revises_the_same_assessment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release, (crm,) = await _seasonal(session, "crm")
    given = {"releaseId": _id(release), "serviceId": _id(crm)}

    await _assess(client, **given, risk="MEDIUM", regressionTestStatus="IN_PROGRESS")
    stale = await _assess(client, **given, risk="LOW", version=5)
    revised = await _assess(
        client, **given, risk="LOW", regressionTestStatus="PASSED", ready=True, version=1
    )
    readiness = await data(client, READINESS, {"id": _id(release)})

    assert stale["userErrors"][0]["code"] == "CONFLICT"
    assessment = revised["readinessAssessment"]
    assert (assessment["risk"], assessment["ready"], assessment["version"]) == ("LOW", True, 2)
    assert readiness["node"]["readiness"] == [{"service": {"slug": "crm"}, "ready": True}]
    assert (await data(client, NOT_READY, {"release": _id(release)}))["servicesNotReadyFor"] == []


async def test_a_service_is_not_ready_while_its_regression_tests_fail(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release, (crm,) = await _seasonal(session, "crm")

    refused = await _assess(
        client,
        releaseId=_id(release),
        serviceId=_id(crm),
        risk="LOW",
        regressionTestStatus="FAILED",
        ready=True,
    )

    assert refused == {
        "readinessAssessment": None,
        "userErrors": [
            {
                "field": ["ready"],
                "code": "INVALID",
                "message": "a service is not ready while its regression tests fail",
            }
        ],
    }


async def test_readiness_is_for_seasonal_releases_and_their_services(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release, _ = await _seasonal(session, "crm")
    outsider = await create_service(session, slug="outsider")
    regular = await create_release(
        session, owner_team_id=outsider.owner_team_id, service_ids=(outsider.id,)
    )

    not_in_release = await _assess(
        client, releaseId=_id(release), serviceId=_id(outsider), risk="LOW"
    )
    not_seasonal = await _assess(
        client, releaseId=_id(regular), serviceId=_id(outsider), risk="LOW"
    )

    assert not_in_release["userErrors"] == [
        {
            "field": ["serviceId"],
            "code": "INVALID",
            "message": "the service is not in this release; the release's team adds it first",
        }
    ]
    assert not_seasonal["userErrors"] == [
        {
            "field": ["releaseId"],
            "code": "INVALID",
            "message": "readiness is assessed for seasonal releases",
        }
    ]
