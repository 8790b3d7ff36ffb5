"""The demo's dependency graph: loaded once, with exactly one deliberate cycle."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import repository
from catalog.graph.models import Dependency, SharedResource
from catalog.services.models import Lifecycle, Service
from core.db import make_engine, make_sessionmaker
from server.demo.graph import DEPENDENCIES, RESOURCE, RESOURCES, seed_demo_graph
from server.demo.organisation import TEAMS
from server.demo.seed import seed_demo_report
from server.demo.services import SERVICES
from tests.builders.catalog import create_service
from tests.builders.identity import create_team


def test_the_graph_names_demo_teams_and_services_still_in_use() -> None:
    lifecycles = {service.slug: service.lifecycle for service in SERVICES}
    named = {source for source, *_ in DEPENDENCIES} | {
        target for _, target, *_ in DEPENDENCIES if not target.startswith(RESOURCE)
    }

    assert {resource.team for resource in RESOURCES} <= {team.slug for team in TEAMS}
    assert named <= lifecycles.keys()
    assert Lifecycle.RETIRED not in {lifecycles[slug] for slug in named}


async def test_seed_demo_loads_the_graph_once(fresh_database: str) -> None:
    first = await seed_demo_report(fresh_database)
    second = await seed_demo_report(fresh_database)

    assert (first.created["shared_resource"], first.created["dependency"]) == (
        len(RESOURCES),
        len(DEPENDENCIES),
    )
    assert (second.created["shared_resource"], second.created["dependency"]) == (0, 0)
    assert f"{len(DEPENDENCIES)} dependencies" in second.summary()
    engine = make_engine(fresh_database)
    try:
        async with make_sessionmaker(engine)() as session:
            cycles = (await repository.cycles(session, max_length=20))[None]
    finally:
        await engine.dispose()
    assert len(cycles) == 1


async def _demo_services(session: AsyncSession) -> None:
    """The teams and services the graph names, as the demo seed would have made them."""
    for slug in sorted({resource.team for resource in RESOURCES}):
        await create_team(session, slug=slug)
    slugs = {source for source, *_ in DEPENDENCIES} | {
        target for _, target, *_ in DEPENDENCIES if not target.startswith(RESOURCE)
    }
    for slug in sorted(slugs):
        await create_service(session, slug=slug)


async def _count(session: AsyncSession, model: type[SharedResource] | type[Dependency]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_demo_graph_is_loaded_once(session: AsyncSession) -> None:
    await _demo_services(session)

    first = await seed_demo_graph(session)
    second = await seed_demo_graph(session)

    assert (first, second) == (len(RESOURCES) + len(DEPENDENCIES), 0)
    assert await _count(session, SharedResource) == len(RESOURCES)
    assert await _count(session, Dependency) == len(DEPENDENCIES)


async def test_the_demo_graph_has_exactly_one_cycle(session: AsyncSession) -> None:
    await _demo_services(session)
    await seed_demo_graph(session)

    cycles = (await repository.cycles(session, max_length=20))[None]

    assert len(cycles) == 1
    slugs = set(await session.scalars(select(Service.slug).where(Service.id.in_(cycles[0]))))
    assert slugs == {"cpq-quoting", "order-to-cash-integration", "billing-invoicing"}
