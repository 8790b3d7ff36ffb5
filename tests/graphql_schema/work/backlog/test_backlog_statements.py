"""Backlog lists cost the same statements for 5 items as for 50: relations are prefetched."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person
from tests.builders.work import create_item, create_release, create_sprint
from tests.conftest import StatementCounter
from tests.graphql import data
from work.backlog.models import (
    BacklogItemStatus,
    BacklogItemType,
    DesignReview,
    DesignReviewOutcome,
)
from work.releases.models import HotfixDeployment

ITEMS = """
query($team: ID!) {
  backlogItems(first: 100, filter: {teamId: $team}) {
    totalCount
    edges { cursor node {
      title status nextStatuses
      team { slug }
      service { slug ownerTeam { slug } salesforceOrgs { name } }
      sprint { name velocity team { slug } }
      release { name status ownerTeam { slug } services { slug } }
      designReviews { outcome reviewer { displayName } }
      affectedOrgs { name }
      pendingOrgs { name }
      deployments { deployedAt salesforceOrg { name } }
    } }
  }
}
"""
# Every statement the request runs, for any number of items: the page, the count, and one
# per relation: backlog and its team; service, its owner team and orgs; sprint, its team and
# items; release, its owner team and services; design reviews and reviewers; explicit orgs;
# deployments and their orgs; deployed orgs (pending orgs). (The caller's person was looked
# up by the first request and is cached: identity/principal_cache.py.)
EXPECTED_STATEMENTS = 19
NOW = datetime(2026, 3, 1, tzinfo=UTC)


async def _backlog(session: AsyncSession, size: int) -> str:
    org = await create_org(session)
    service = await create_service(session, orgs=[org])
    team_id = service.owner_team_id
    reviewer = await create_person(session)
    sprint = await create_sprint(session, team_id=team_id)
    release = await create_release(session, owner_team_id=team_id, service_ids=(service.id,))
    for index in range(size):
        hotfix = index % 2 == 0
        item = await create_item(
            session,
            team_id=team_id,
            service_id=service.id,
            type=BacklogItemType.HOTFIX if hotfix else BacklogItemType.FEATURE,
            status=BacklogItemStatus.DONE if hotfix else BacklogItemStatus.IN_SPRINT,
            sprint_id=None if hotfix else sprint.id,
            release_id=release.id,
            estimate=index,
        )
        if hotfix:
            session.add(
                HotfixDeployment(item_id=item.id, salesforce_org_id=org.id, deployed_at=NOW)
            )
        else:
            session.add(
                DesignReview(
                    item_id=item.id,
                    outcome=DesignReviewOutcome.APPROVED,
                    reviewer_id=reviewer.id,
                    reviewer_actor=f"person:{reviewer.id}",
                )
            )
    await session.flush()
    return global_id("Team", team_id)


@pytest.mark.read_path("resolvers")  # the prefetch path's statements
@pytest.mark.parametrize("size", [5, 50])
async def test_backlog_items_with_nested_relations_cost_flat_statements(
    size: int,
    client: httpx.AsyncClient,
    session: AsyncSession,
    count_statements: StatementCounter,
) -> None:
    team = await _backlog(session, size)
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, ITEMS, {"team": team})

    assert result["backlogItems"]["totalCount"] == size
    edges = result["backlogItems"]["edges"]
    assert len(edges) == size
    fix, feature = edges[0]["node"], edges[1]["node"]
    org_names = fix["service"]["salesforceOrgs"]
    assert (fix["sprint"], fix["affectedOrgs"], fix["pendingOrgs"]) == (None, org_names, [])
    assert fix["deployments"] == [
        {"deployedAt": "2026-03-01T00:00:00+00:00", "salesforceOrg": org_names[0]}
    ]
    assert feature["sprint"]["velocity"] == 0
    (review,) = feature["designReviews"]
    assert review["outcome"] == "APPROVED"
    assert review["reviewer"]["displayName"].startswith("Person ")
    assert (feature["affectedOrgs"], feature["pendingOrgs"]) == ([], [])
    assert feature["release"]["services"] == [{"slug": feature["service"]["slug"]}]
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    assert len(selects) == EXPECTED_STATEMENTS, "\n\n".join(selects)
