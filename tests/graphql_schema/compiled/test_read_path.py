"""The compiled read path answers exactly as the resolvers do: the same JSON (keys, nulls,
dates, enum names, ids), the same cursors both ways, the same errors; what it cannot compile
the resolvers answer, and development responses say which path answered."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import PLAN_HEADER
from tests.graphql import gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

PAGE = """
query Page($first: Int, $last: Int, $after: String, $before: String, $order: ServiceOrder) {
  services(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
    totalCount
    edges {
      cursor
      node {
        __typename id slug name description tier lifecycle tags
        links { runbook repo dashboard }
        dataClassification complianceRegimes
        businessCalendar { timeZone weeklyHours { day start end } holidays }
        backupPolicy { rpoSeconds rtoSeconds lastVerifiedRestoreAt }
        reviewIntervalDays lastReviewedAt reviewDueAt stale archivedAt version createdAt
        ownerTeam { id name slug kind businessUnit { id name } }
        ownershipRoles { id role effectiveFrom effectiveTo current person { id displayName } }
        productOwners { displayName }
        salesforceOrgs { orgId name kind backupPolicy { provider } parent { orgId name } }
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

BY_SLUG = """
query($slug: String!) {
  first: service(slug: $slug) { ...Names owner: ownerTeam { __typename name } }
  again: service(slug: $slug) { ... on Service { slug } }
  none: service(slug: "no-such-service") { slug }
  __typename
}
fragment Names on Service { name slug }
"""

DEFERRED = """
query($slug: String!, $first: Int) {
  service(slug: $slug) { slug satisfaction { ratings } }
  services(first: $first) { nodes { slug recent: satisfaction(days: 7) { days } } }
}
"""

NOT_COMPILABLE = "{ viewer { roles } }"

MIXED = """
query($slug: String!) {
  compiled: service(slug: $slug) { name }
  resolved: viewer { roles }
  teams(first: 1) { totalCount nodes { name } }
  missing: node(id: "U2VydmljZTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA") { id }
}
"""


async def _clients(
    settings: Settings, make_client: MakeClient
) -> dict[ReadPath, httpx.AsyncClient]:
    return {
        path: await make_client(settings.model_copy(update={"read_path": path}))
        for path in (ReadPath.COMPILED, ReadPath.RESOLVERS)
    }


async def _both(
    clients: dict[ReadPath, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    compiled = await gql(clients[ReadPath.COMPILED], query, variables)
    resolved = await gql(clients[ReadPath.RESOLVERS], query, variables)
    # Equal as JSON, keys in the same order.
    assert json.dumps(compiled) == json.dumps(resolved)
    return compiled


@pytest.mark.usefixtures("catalog")
async def test_pages_forward_and_back_give_the_resolvers_json_and_cursors(
    settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    for order in (None, {"field": "UPDATED_AT", "direction": "DESC"}, {"field": "TIER"}):
        first = await _both(clients, PAGE, {"first": 2, "order": order})
        page = first["data"]["services"]
        assert page["totalCount"] == 3
        assert page["pageInfo"]["hasNextPage"] is True
        rest = await _both(
            clients, PAGE, {"first": 2, "after": page["pageInfo"]["endCursor"], "order": order}
        )
        assert len(rest["data"]["services"]["edges"]) == 1
        back = await _both(
            clients,
            PAGE,
            {
                "last": 2,
                "before": rest["data"]["services"]["pageInfo"]["startCursor"],
                "order": order,
            },
        )
        assert back["data"]["services"]["edges"] == page["edges"]

    names = await _both(clients, PAGE, {"first": 3})
    checkout = names["data"]["services"]["edges"][2]["node"]
    assert checkout["name"] == "Zürich Checkout"
    assert checkout["businessCalendar"] == {
        "timeZone": "Europe/Zurich",
        "weeklyHours": [{"day": "MONDAY", "start": "08:00", "end": "17:30"}],
        "holidays": ["2026-12-25", "2026-12-26"],
    }
    assert checkout["backupPolicy"]["lastVerifiedRestoreAt"] == "2026-11-01T08:30:00.120000+00:00"
    assert checkout["lastReviewedAt"] == "2026-01-02T03:04:05+00:00"
    assert [org["name"] for org in checkout["salesforceOrgs"]] == ["UAT", "Production"]
    assert checkout["salesforceOrgs"][0]["parent"] == {
        "orgId": checkout["salesforceOrgs"][1]["orgId"],
        "name": "Production",
    }
    assert sorted(role["current"] for role in checkout["ownershipRoles"]) == [False, True]
    assert checkout["productOwners"] == [{"displayName": "Ada"}]


@pytest.mark.usefixtures("catalog")
async def test_aliases_fragments_and_missing_objects_compile(
    settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    body = await _both(clients, BY_SLUG, {"slug": "checkout"})
    assert body == {
        "data": {
            "first": {
                "name": "Zürich Checkout",
                "slug": "checkout",
                "owner": {"__typename": "Team", "name": "Ärzte & Co"},
            },
            "again": {"slug": "checkout"},
            "none": None,
            "__typename": "Query",
        }
    }


@pytest.mark.usefixtures("catalog")
async def test_paging_errors_are_the_resolvers_errors(
    settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    too_many = await _both(clients, PAGE, {"first": 101})
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"
    foreign = await _both(clients, PAGE, {"first": 1, "after": "bm90LWEtY3Vyc29y"})
    assert foreign["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert foreign["data"] is None


@pytest.mark.usefixtures("catalog")
async def test_development_responses_say_which_path_answered(
    settings: Settings, make_client: MakeClient
) -> None:
    client = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    asked = {PLAN_HEADER: "1"}
    compiled = await gql(client, BY_SLUG, {"slug": "checkout"}, headers=asked)
    assert compiled["extensions"]["plan"] == {
        "path": "compiled",
        "fields": {
            "first": "compiled",
            "again": "compiled",
            "none": "compiled",
            "__typename": "compiled",
        },
    }
    deferred = await gql(client, DEFERRED, {"slug": "checkout", "first": 2}, headers=asked)
    assert deferred["data"]["service"] == {"slug": "checkout", "satisfaction": {"ratings": 0}}
    assert deferred["extensions"]["plan"] == {
        "path": "compiled",
        "fields": {"service": "compiled", "services": "compiled"},
        "resolved": ["service.satisfaction", "services.nodes.recent"],
    }
    fallback = await gql(client, NOT_COMPILABLE, headers=asked)
    assert fallback["data"]["viewer"]["roles"]
    assert fallback["extensions"]["plan"] == {
        "path": "resolvers",
        "field": "viewer",
        "reason": "viewer: Query.viewer has no SQL declaration",
    }
    unasked = await gql(client, BY_SLUG, {"slug": "checkout"})
    assert "extensions" not in unasked


@pytest.mark.usefixtures("catalog")
async def test_root_fields_that_do_not_compile_are_resolved_beside_those_that_do(
    settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    body = await _both(clients, MIXED, {"slug": "checkout"})
    assert body == {
        "data": {
            "compiled": {"name": "Zürich Checkout"},
            "resolved": {"roles": body["data"]["resolved"]["roles"]},
            "teams": {"totalCount": 2, "nodes": body["data"]["teams"]["nodes"]},
            "missing": None,
        }
    }
    planned = await gql(
        clients[ReadPath.COMPILED], MIXED, {"slug": "checkout"}, headers={PLAN_HEADER: "1"}
    )
    assert planned["extensions"]["plan"]["path"] == "mixed"
    assert planned["extensions"]["plan"]["fields"]["compiled"] == "compiled"
    assert planned["extensions"]["plan"]["fields"]["resolved"] == {
        "path": "resolvers",
        "reason": "resolved: Query.viewer has no SQL declaration",
    }


@pytest.mark.usefixtures("catalog")
async def test_fields_only_the_resolvers_answer_are_resolved_inside_compiled_objects(
    settings: Settings, make_client: MakeClient
) -> None:
    clients = await _clients(settings, make_client)
    body = await _both(clients, DEFERRED, {"slug": "checkout", "first": 3})
    assert [node["recent"] for node in body["data"]["services"]["nodes"]] == [{"days": 7}] * 3


@pytest.mark.usefixtures("catalog")
async def test_a_compiled_answer_is_postgresql_json_text_over_http(
    settings: Settings, make_client: MakeClient
) -> None:
    client = await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))
    response = await client.post(
        "/graphql",
        json={"query": BY_SLUG, "variables": {"slug": "checkout"}},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    # json_build_object writes `"key" : value`: the body was not re-encoded by Python.
    assert response.text.startswith('{"data":{"first" : {"name" : "Zürich Checkout"')
    assert response.json()["data"]["first"]["slug"] == "checkout"
