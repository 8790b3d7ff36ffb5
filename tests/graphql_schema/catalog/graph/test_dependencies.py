"""The dependency graph over GraphQL: both ways, transitively, cycles, and no N+1."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.graph.models import DependencyKind, SharedResourceKind
from catalog.graph.repository import rotate_to_smallest
from catalog.services.models import Service
from core.clock import utcnow
from core.oidc_settings import IssuerConfig
from core.settings import load_settings
from graphql_schema.node import global_id
from server.app import create_app
from tests.builders.catalog import create_dependency, create_service, create_shared_resource
from tests.builders.identity import create_team
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from tests.lifespan import lifespan

RUNTIME, DATA, AUTH = DependencyKind.RUNTIME, DependencyKind.DATA, DependencyKind.AUTH

TARGET = """
target {
  __typename
  ... on Service { slug }
  ... on SharedResource { name kind }
}
"""
DIRECT = f"""
query Direct($slug: String!) {{
  service(slug: $slug) {{
    dependencies {{ depth path {{ slug }} dependency {{ kind source {{ slug }} {TARGET} }} }}
    dependents {{ depth dependency {{ source {{ slug }} }} }}
  }}
}}
"""
TRANSITIVE = """
query Transitive($slug: String!, $maxDepth: Int!, $kinds: [DependencyKind!]) {
  service(slug: $slug) {
    dependencies(transitive: true, maxDepth: $maxDepth, kinds: $kinds) {
      depth
      path { slug }
      dependency { kind source { slug } target { ... on Service { slug } } }
    }
  }
}
"""
UPSTREAM = """
query Upstream($slug: String!) {
  service(slug: $slug) {
    dependents(transitive: true) { depth path { slug } dependency { source { slug } } }
  }
}
"""
CYCLES = """
query Cycles($slug: String!) {
  dependencyCycles { slug }
  service(slug: $slug) {
    dependencyCycles { slug }
    dependencies(transitive: true) { depth dependency { target { ... on Service { slug } } } }
  }
}
"""
RESOURCES = """
query Resources($includeArchived: Boolean!) {
  sharedResources(includeArchived: $includeArchived) {
    totalCount
    edges {
      node {
        name
        kind
        ownerTeam { slug }
        dependents { dependency { kind source { slug } } }
        impact: dependents(transitive: true) { depth path { slug } dependency { source { slug } } }
      }
    }
  }
}
"""


async def _service(session: AsyncSession, slug: str) -> Service:
    return await create_service(session, slug=slug)


async def _chain(session: AsyncSession, *slugs: str) -> list[Service]:
    services = [await _service(session, slug) for slug in slugs]
    for source, target in itertools.pairwise(services):
        await create_dependency(session, source, target)
    return services


async def test_direct_dependencies_resolve_the_target_union(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    portal, billing = await _service(session, "portal"), await _service(session, "billing")
    okta = await create_shared_resource(
        session, name="Okta", kind=SharedResourceKind.IDENTITY_PROVIDER
    )
    await create_dependency(session, portal, billing, DATA)
    await create_dependency(session, portal, okta, AUTH)

    result = await data(client, DIRECT, {"slug": "portal"})
    upstream = await data(client, DIRECT, {"slug": "billing"})

    # Created in one transaction: same time, so listed in id order; compare by kind.
    result["service"]["dependencies"].sort(key=lambda edge: edge["dependency"]["kind"])
    assert result == {
        "service": {
            "dependencies": [
                {
                    "depth": 1,
                    "path": [],
                    "dependency": {
                        "kind": "AUTH",
                        "source": {"slug": "portal"},
                        "target": {
                            "__typename": "SharedResource",
                            "name": "Okta",
                            "kind": "IDENTITY_PROVIDER",
                        },
                    },
                },
                {
                    "depth": 1,
                    "path": [],
                    "dependency": {
                        "kind": "DATA",
                        "source": {"slug": "portal"},
                        "target": {"__typename": "Service", "slug": "billing"},
                    },
                },
            ],
            "dependents": [],
        }
    }
    assert upstream["service"]["dependents"] == [
        {"depth": 1, "dependency": {"source": {"slug": "portal"}}}
    ]


async def test_transitive_dependencies_carry_depth_and_path(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _chain(session, "web", "api", "ledger", "warehouse")

    result = await data(client, TRANSITIVE, {"slug": "web", "maxDepth": 10, "kinds": None})

    assert result["service"]["dependencies"] == [
        {
            "depth": 1,
            "path": [],
            "dependency": {"kind": "RUNTIME", "source": {"slug": "web"}, "target": {"slug": "api"}},
        },
        {
            "depth": 2,
            "path": [{"slug": "api"}],
            "dependency": {
                "kind": "RUNTIME",
                "source": {"slug": "api"},
                "target": {"slug": "ledger"},
            },
        },
        {
            "depth": 3,
            "path": [{"slug": "api"}, {"slug": "ledger"}],
            "dependency": {
                "kind": "RUNTIME",
                "source": {"slug": "ledger"},
                "target": {"slug": "warehouse"},
            },
        },
    ]


async def test_transitive_dependents_walk_upstream(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _chain(session, "web", "api", "ledger")

    result = await data(client, UPSTREAM, {"slug": "ledger"})

    assert result["service"]["dependents"] == [
        {"depth": 1, "path": [], "dependency": {"source": {"slug": "api"}}},
        {"depth": 2, "path": [{"slug": "api"}], "dependency": {"source": {"slug": "web"}}},
    ]


async def test_max_depth_and_kinds_narrow_the_walk(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    web, _, ledger, _ = await _chain(session, "web", "api", "ledger", "warehouse")
    await create_dependency(session, web, ledger, DATA)

    shallow = await data(client, TRANSITIVE, {"slug": "web", "maxDepth": 1, "kinds": None})
    data_only = await data(client, TRANSITIVE, {"slug": "web", "maxDepth": 10, "kinds": ["DATA"]})

    assert sorted(
        (edge["depth"], edge["dependency"]["target"]["slug"])
        for edge in shallow["service"]["dependencies"]
    ) == [(1, "api"), (1, "ledger")]
    assert [
        (edge["depth"], edge["dependency"]["target"]["slug"])
        for edge in data_only["service"]["dependencies"]
    ] == [(1, "ledger")]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("dependencies(transitive: true, maxDepth: 0)", "maxDepth"),
        ("dependents(maxDepth: 21)", "maxDepth"),
        ("dependencyCycles(maxLength: 1)", "maxLength"),
    ],
)
async def test_bounds_out_of_range_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, field: str, message: str
) -> None:
    await _service(session, "web")

    body = await gql(client, f'{{ service(slug: "web") {{ {field} {{ __typename }} }} }}')

    assert body["data"] == {"service": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]


async def test_cycles_are_listed_once_and_do_not_break_transitive_queries(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    web, api, ledger = await _chain(session, "web", "api", "ledger")
    await create_dependency(session, ledger, web)
    await create_dependency(session, ledger, web, DATA)  # the same cycle, again
    by_id = {service.id: service.slug for service in (web, api, ledger)}
    expected = [{"slug": by_id[key]} for key in rotate_to_smallest([web.id, api.id, ledger.id])]

    result = await data(client, CYCLES, {"slug": "api"})

    assert result["dependencyCycles"] == [expected]
    assert result["service"]["dependencyCycles"] == [expected]
    assert [
        (edge["depth"], edge["dependency"]["target"]["slug"])
        for edge in result["service"]["dependencies"]
    ] == [(1, "ledger"), (2, "web"), (2, "web"), (3, "api")]


async def test_shared_resources_page_with_their_dependents(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="integration")
    kafka = await create_shared_resource(session, name="Heroku Kafka", owner_team_id=team.id)
    await create_shared_resource(
        session, name="Old ESB", owner_team_id=team.id, archived_at=utcnow()
    )
    _, api = await _chain(session, "web", "api")
    await create_dependency(session, api, kafka, DATA)

    listed = await data(client, RESOURCES, {"includeArchived": False})
    everything = await data(client, RESOURCES, {"includeArchived": True})

    assert listed["sharedResources"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "name": "Heroku Kafka",
                    "kind": "MIDDLEWARE",
                    "ownerTeam": {"slug": "integration"},
                    "dependents": [{"dependency": {"kind": "DATA", "source": {"slug": "api"}}}],
                    "impact": [
                        {"depth": 1, "path": [], "dependency": {"source": {"slug": "api"}}},
                        {
                            "depth": 2,
                            "path": [{"slug": "api"}],
                            "dependency": {"source": {"slug": "web"}},
                        },
                    ],
                }
            }
        ],
    }
    names = [edge["node"]["name"] for edge in everything["sharedResources"]["edges"]]
    assert names == ["Heroku Kafka", "Old ESB"]


async def test_dependencies_and_resources_are_nodes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    web = await _service(session, "web")
    okta = await create_shared_resource(session, name="Okta")
    dependency = await create_dependency(session, web, okta, AUTH)

    result = await data(
        client,
        """query($ids: [ID!]!) {
          nodes(ids: $ids) {
            __typename
            ... on Dependency { kind source { slug } target { ... on SharedResource { name } } }
            ... on SharedResource { name dependents { depth } }
          }
        }""",
        {"ids": [global_id("Dependency", dependency.id), global_id("SharedResource", okta.id)]},
    )

    assert result["nodes"] == [
        {
            "__typename": "Dependency",
            "kind": "AUTH",
            "source": {"slug": "web"},
            "target": {"name": "Okta"},
        },
        {"__typename": "SharedResource", "name": "Okta", "dependents": [{"depth": 1}]},
    ]


@pytest.fixture
async def anonymous(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    issuer = IssuerConfig(issuer="https://idp.example.test", audience="catalog-api")
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(issuer,),
        anonymous_read=True,
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_graph_is_public_catalog(
    anonymous: httpx.AsyncClient, session: AsyncSession
) -> None:
    web, api = await _chain(session, "web", "api")
    await create_dependency(session, api, web)

    body = await gql(
        anonymous,
        f"""{{
          dependencyCycles {{ slug }}
          sharedResources {{ edges {{ node {{ name }} }} }}
          service(slug: "web") {{
            dependencies(transitive: true) {{
              depth path {{ slug }} dependency {{ kind {TARGET} }}
            }}
          }}
        }}""",
    )

    assert "errors" not in body, body
    assert len(body["data"]["dependencyCycles"]) == 1


# --- statement counts: the same for 5 services as for 50 ---

PAGE = """
query Page($first: Int!) {
  services(first: $first) {
    edges {
      node {
        slug
        dependencies {
          depth
          dependency { kind source { slug } target { __typename
            ... on Service { slug ownerTeam { name } }
            ... on SharedResource { name ownerTeam { name } } } }
        }
        dependents { dependency { source { slug ownerTeam { name } } } }
      }
    }
  }
}
"""
TRANSITIVE_PAGE = """
query Page($first: Int!) {
  services(first: $first) {
    edges {
      node {
        slug
        dependencies(transitive: true, maxDepth: 5) {
          depth
          path { slug ownerTeam { name } }
          dependency {
            source { slug }
            target { ... on Service { slug } ... on SharedResource { name } }
          }
        }
        dependents(transitive: true, kinds: [RUNTIME]) { depth path { slug } }
        dependencyCycles { slug }
      }
    }
  }
}
"""


async def _graph(session: AsyncSession, count: int) -> None:
    """`count` services in a chain closed into a cycle, each also on a shared resource."""
    team = await create_team(session)
    resource = await create_shared_resource(session, owner_team_id=team.id)
    services = [await create_service(session, owner_team_id=team.id) for _ in range(count)]
    for index, service in enumerate(services):
        await create_dependency(session, service, services[(index + 1) % count])
        await create_dependency(session, service, resource, DATA)


async def _counts(
    client: httpx.AsyncClient, counter: StatementCounter, query: str
) -> tuple[int, int]:
    await data(client, "{ viewer { roles } }")  # provisions the development person first
    counts = []
    for size in (5, 50):
        counter.reset()
        result = await data(client, query, {"first": size})
        assert len(result["services"]["edges"]) == size
        assert all(edge["node"]["dependencies"] for edge in result["services"]["edges"])
        counts.append(counter.count)
    return counts[0], counts[1]


async def test_direct_dependencies_cost_the_same_for_5_and_50_services(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await _graph(session, 50)

    at_five, at_fifty = await _counts(client, count_statements, PAGE)

    assert at_five == at_fifty, (at_five, at_fifty)


async def test_transitive_dependencies_cost_the_same_for_5_and_50_services(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await _graph(session, 50)

    at_five, at_fifty = await _counts(client, count_statements, TRANSITIVE_PAGE)

    assert at_five == at_fifty, (at_five, at_fifty)
