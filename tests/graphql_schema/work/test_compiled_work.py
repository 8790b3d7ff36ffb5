"""The work domain on the compiled read path: requests, incidents, backlog items, sprints,
releases and hot fixes answer the resolvers' JSON (ties in every ordered list, whole and
fractional floats, ids of each source kind, cursors of tied sort values) from one statement."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER, _first_difference
from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_incident, create_item, create_release, create_request
from tests.graphql import gql
from work.backlog.models import (
    BacklogItemStatus,
    BacklogItemType,
    DesignReview,
    DesignReviewOutcome,
    Sprint,
    backlog_item_affected_org,
)
from work.releases.models import (
    HotfixDeployment,
    ReadinessAssessment,
    ReadinessRisk,
    ReleaseKind,
    Season,
)
from work.requests.models import RequestStatus, RequestStatusChange

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

ORG = "id orgId name kind"
PERSON = "id displayName active"
SERVICE = "id slug name"
ITEM = f"""
  __typename id title description type status rank estimate needsDesignReview releasedAt
  backMergedAt sourceType sourceId version createdAt updatedAt valueStream
  team {{ id name }} service {{ {SERVICE} }} sprint {{ id name }} release {{ id name kind }}
  designReviews {{ id outcome notes reviewerActor version createdAt reviewer {{ {PERSON} }}
    item {{ id title }} }}
  affectedOrgs {{ {ORG} }}
  deployments {{ id deployedAt version createdAt salesforceOrg {{ {ORG} }} item {{ id }} }}
  pendingOrgs {{ {ORG} }}
"""
REQUEST = f"""
  id title body kind impact urgency priority estimatedDurationSeconds supportTier valueStream
  status vendorCaseNumber fulfilledAt breachAt warningAt version createdAt updatedAt
  service {{ {SERVICE} }} requester {{ {PERSON} }} assignee {{ {PERSON} }}
  backlogItem {{ id title rank }}
  statusHistory {{ fromStatus toStatus at actor note }}
"""
INCIDENT = f"""
  id title severity source alertKey alertCount lastAlertAt status valueStream rootCause
  peopleHours detectedAt acknowledgedAt mitigatedAt resolvedAt closedAt breachAt warningAt
  version createdAt updatedAt
  services {{ {SERVICE} }} commander {{ {PERSON} }}
  statusHistory {{ fromStatus toStatus at recordedAt actor note }}
  hotfixes {{ id title type rank }}
"""
SPRINT = f"""
  id name startsOn endsOn goal version createdAt updatedAt velocity
  team {{ id name }} items {{ {ITEM} }}
"""
RELEASE = f"""
  id name versionLabel kind status plannedOn season seasonYear sandboxPreviewOn productionOn
  startedAt releasedAt rolledBackAt version createdAt updatedAt
  ownerTeam {{ id name }} services {{ {SERVICE} }} items {{ id title rank }}
  readiness {{
    id featuresToAdopt releaseUpdatesEnforced risk regressionTestStatus actions ready notes
    version createdAt updatedAt release {{ id name }} service {{ {SERVICE} }}
  }}
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "requests": (
        f"""query($first: Int) {{
          serviceRequests(first: $first) {{ totalCount edges {{ cursor node {{ {REQUEST} }} }}
            {PAGE_INFO} }}
          breached: serviceRequests(filter: {{breached: true}}) {{ totalCount nodes {{ id }} }}
        }}""",
        {"first": 5},
    ),
    "incidents": (
        f"""query {{ incidents(filter: {{statuses: [DETECTED, MITIGATED]}}) {{
          totalCount nodes {{ {INCIDENT} }} {PAGE_INFO} }} }}""",
        {},
    ),
    "backlog": (
        f"""query($first: Int) {{
          backlogItems(first: $first, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
            totalCount edges {{ cursor node {{ {ITEM} }} }} {PAGE_INFO} }}
          openHotfixes {{ totalCount nodes {{ id title pendingOrgs {{ name }} }} }}
        }}""",
        {"first": 10},
    ),
    "services": (
        f"""query {{ services(first: 5) {{ nodes {{ slug openIncidents {{ {INCIDENT} }} }} }} }}""",
        {},
    ),
    "sprints": (f"query {{ sprints(first: 2) {{ nodes {{ {SPRINT} }} }} }}", {}),
    "releases": (
        f"""query {{ releases(filter: {{kinds: [SALESFORCE_SEASONAL, REGULAR]}}) {{
          nodes {{ {RELEASE} }} {PAGE_INFO} }} }}""",
        {},
    ),
}


@pytest.fixture
async def work(session: AsyncSession) -> dict[str, Any]:
    """Work of every kind, with ties in every ordered list (one transaction: one now())."""
    team = await create_team(session, name="Ärzte & Co")
    prod = await create_org(session, name="Prod")
    prod_too = await create_org(session, name="Prod")
    uat = await create_org(session, name="UAT")
    same = await create_service(session, name="Same", owner_team_id=team.id, orgs=[uat, prod])
    same_too = await create_service(session, name="Same", owner_team_id=team.id)
    ada = await create_person(session, display_name="Ada")
    bob = await create_person(session, display_name="Bob")
    now = utcnow()

    sprint = Sprint(
        team_id=team.id, name="Sprint 1", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 13)
    )
    session.add(sprint)
    release = await create_release(
        session,
        owner_team_id=team.id,
        service_ids=(same.id, same_too.id),
        kind=ReleaseKind.SALESFORCE_SEASONAL,
        season=Season.SPRING,
        season_year=2026,
        planned_on=date(2026, 2, 1),
        version_label="Spring '26",
    )
    await create_release(session, owner_team_id=team.id, name="Plain")
    await session.flush()

    incident = await create_incident(
        session, service_ids=[same.id, same_too.id], commander_id=ada.id, people_hours=2.0
    )
    await create_incident(session, service_ids=[same.id], people_hours=1.25, alert_key="a-1")

    feature = await create_item(
        session,
        team_id=team.id,
        rank=1.0,
        estimate=3,
        status=BacklogItemStatus.DONE,
        sprint_id=sprint.id,
        release_id=release.id,
        description='Line one\nand "quotes"',
    )
    request = await create_request(
        session,
        service_id=same.id,
        requester_id=ada.id,
        assignee_id=bob.id,
        backlog_item_id=feature.id,
        breach_at=now - timedelta(hours=1),
        estimated_duration_seconds=3600,
    )
    await create_request(session, service_id=same_too.id, requester_id=bob.id)
    at = now - timedelta(minutes=5)
    for status in (RequestStatus.TRIAGED, RequestStatus.IN_PROGRESS):
        session.add(
            RequestStatusChange(request_id=request.id, to_status=status, at=at, actor="system")
        )
    feature.source_type, feature.source_id = "REQUEST", request.id
    hotfix = await create_item(
        session,
        team_id=team.id,
        type=BacklogItemType.HOTFIX,
        rank=2.5,
        service_id=same.id,
        source_type="INCIDENT",
        source_id=incident.id,
    )
    vulnerability = await create_item(
        session,
        team_id=team.id,
        type=BacklogItemType.VULNERABILITY,
        rank=0.00001,
        service_id=same.id,
        source_type="INCIDENT",
        source_id=incident.id,
    )
    await create_item(
        session,
        team_id=team.id,
        type=BacklogItemType.DEFECT,
        rank=3.0,
        status=BacklogItemStatus.RELEASED,
        service_id=same_too.id,
        sprint_id=sprint.id,
        source_type="FEEDBACK",
        source_id=uuid.uuid4(),
    )
    await create_item(session, team_id=team.id, rank=1e16, needs_design_review=True)
    await session.execute(
        backlog_item_affected_org.insert(),
        [
            {"backlog_item_id": hotfix.id, "salesforce_org_id": key}
            for key in (prod.id, prod_too.id)
        ],
    )
    for item, org in ((hotfix, prod), (vulnerability, uat)):
        session.add(HotfixDeployment(item_id=item.id, salesforce_org_id=org.id, deployed_at=now))
    for outcome in (DesignReviewOutcome.CHANGES_REQUESTED, DesignReviewOutcome.APPROVED):
        session.add(
            DesignReview(
                item_id=feature.id, outcome=outcome, reviewer_id=ada.id, reviewer_actor="person:x"
            )
        )
    session.add(
        DesignReview(item_id=feature.id, outcome=outcome, reviewer_actor="client:ci@issuer")
    )
    for service, risk in ((same, ReadinessRisk.HIGH), (same_too, ReadinessRisk.LOW)):
        session.add(
            ReadinessAssessment(
                release_id=release.id,
                service_id=service.id,
                risk=risk,
                features_to_adopt=["Dynamic Forms", "Ünicode"],
                actions=[],
            )
        )
    await session.flush()
    return {"incident": global_id("Incident", incident.id)}


async def _both(
    settings: Settings, make_client: MakeClient, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    answer = await gql(compiled, query, variables, headers={PLAN_HEADER: "1"})
    plan = answer.pop("extensions", {}).get("plan")
    assert plan is not None, answer
    assert plan["path"] == "compiled", plan
    assert "resolved" not in plan, plan
    expected = await gql(resolved, query, variables)
    assert "errors" not in expected, expected["errors"]
    assert json.dumps(answer) == json.dumps(expected), _first_difference(expected, answer, ())
    return answer


@pytest.mark.parametrize("name", list(QUERIES))
async def test_work_compiles_to_the_resolvers_json(
    name: str, work: dict[str, Any], settings: Settings, make_client: MakeClient
) -> None:
    query, variables = QUERIES[name]
    body = await _both(settings, make_client, query, variables)
    assert body["data"], body


async def test_tied_floats_orgs_and_cursors_answer_the_same(
    work: dict[str, Any], settings: Settings, make_client: MakeClient
) -> None:
    query, _ = QUERIES["backlog"]
    first = await _both(settings, make_client, query, {"first": 2})
    page = first["data"]["backlogItems"]
    assert page["totalCount"] == 5
    ranks = {edge["node"]["rank"] for edge in page["edges"]}
    assert ranks <= {1.0, 2.5, 1e-05, 3.0, 1e16}
    after = page["pageInfo"]["endCursor"]
    rest = f"""query($after: String) {{
      backlogItems(first: 10, after: $after, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
        edges {{ cursor node {{ id rank affectedOrgs {{ name }} pendingOrgs {{ name }} }} }}
        {PAGE_INFO} }} }}"""
    second = await _both(settings, make_client, rest, {"after": after})
    assert len(second["data"]["backlogItems"]["edges"]) == 3

    # By rank, the default: the cursors carry the float ranks as Python writes them.
    by_rank = f"""query($after: String) {{
      backlogItems(first: 2, after: $after) {{
        edges {{ cursor node {{ rank }} }} {PAGE_INFO} }} }}"""
    start = await _both(settings, make_client, by_rank, {"after": None})
    next_page = await _both(
        settings,
        make_client,
        by_rank,
        {"after": start["data"]["backlogItems"]["pageInfo"]["endCursor"]},
    )
    assert [edge["node"]["rank"] for edge in next_page["data"]["backlogItems"]["edges"]] == [
        2.5,
        3.0,
    ]

    orgs = "type affectedOrgs { name } pendingOrgs { name }"
    hotfixes = await _both(
        settings,
        make_client,
        f"""{{ open: openHotfixes {{ nodes {{ {orgs} }} }}
          all: backlogItems(filter: {{types: [HOTFIX, VULNERABILITY]}},
                            orderBy: {{field: CREATED_AT}}) {{ nodes {{ {orgs} }} }} }}""",
        {},
    )
    by_type = {node["type"]: node for node in hotfixes["data"]["all"]["nodes"]}
    assert [org["name"] for org in by_type["HOTFIX"]["affectedOrgs"]] == ["Prod", "Prod"]
    assert [org["name"] for org in by_type["HOTFIX"]["pendingOrgs"]] == ["Prod"]
    assert [org["name"] for org in by_type["VULNERABILITY"]["affectedOrgs"]] == ["UAT", "Prod"]
    assert [org["name"] for org in by_type["VULNERABILITY"]["pendingOrgs"]] == ["Prod"]


async def test_a_backlog_by_rank_and_a_filter_on_the_caller_are_left_to_the_resolvers(
    work: dict[str, Any], settings: Settings, make_client: MakeClient
) -> None:
    """Rank cursors carry a float the compiled path would write as `1` (Python: `1.0`);
    `mine` reads the caller, which page sources are not given: the resolvers answer both."""
    compiled = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    resolved = await make_client(settings.model_copy(update={"read_path": ReadPath.RESOLVERS}))
    for query in (
        "{ backlogItems { edges { cursor node { rank } } } }",
        "{ serviceRequests(filter: {mine: true}) { nodes { id } } }",
        "{ incidents(filter: {mine: true}) { nodes { id } } }",
    ):
        answer = await gql(compiled, query)
        assert "errors" not in answer, answer
        assert json.dumps(answer) == json.dumps(await gql(resolved, query))
