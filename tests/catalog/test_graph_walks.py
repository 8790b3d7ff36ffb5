"""Walking the dependency graph: both ways, bounded, filtered, safe on cycles."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import repository
from catalog.graph.models import DependencyKind
from catalog.graph.repository import Direction, Start, Step, rotate_to_smallest
from catalog.services.models import Service
from tests.builders.catalog import create_dependency, create_service, create_shared_resource

RUNTIME, DATA, AUTH = DependencyKind.RUNTIME, DependencyKind.DATA, DependencyKind.AUTH


async def _services(session: AsyncSession, count: int) -> list[Service]:
    return [await create_service(session) for _ in range(count)]


async def _chain(session: AsyncSession, length: int) -> list[Service]:
    """s0 -> s1 -> ... -> s(length-1), all RUNTIME."""
    services = await _services(session, length)
    for source, target in itertools.pairwise(services):
        await create_dependency(session, source, target)
    return services


def _summary(steps: list[Step]) -> list[tuple[uuid.UUID | None, int, tuple[uuid.UUID, ...]]]:
    """(far end, depth, path) of each step, the far end being the target service."""
    return [(step.dependency.target_service_id, step.depth, step.path) for step in steps]


async def test_direct_walk_lists_only_the_first_hop(session: AsyncSession) -> None:
    a, b, _ = await _chain(session, 3)

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=1
    )

    assert _summary(found[a.id]) == [(b.id, 1, ())]


async def test_transitive_walk_follows_dependencies_with_their_path(session: AsyncSession) -> None:
    a, b, c, d = await _chain(session, 4)

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=10
    )

    assert _summary(found[a.id]) == [(b.id, 1, ()), (c.id, 2, (b.id,)), (d.id, 3, (b.id, c.id))]


async def test_dependents_walk_goes_the_other_way(session: AsyncSession) -> None:
    a, b, c, d = await _chain(session, 4)

    found = await repository.walk(
        session, roots=[d.id], direction=Direction.DEPENDENTS, max_depth=10
    )

    sources = [(step.dependency.source_service_id, step.depth, step.path) for step in found[d.id]]
    assert sources == [(c.id, 1, ()), (b.id, 2, (c.id,)), (a.id, 3, (c.id, b.id))]


async def test_depth_bounds_the_walk(session: AsyncSession) -> None:
    services = await _chain(session, 6)

    found = await repository.walk(
        session, roots=[services[0].id], direction=Direction.DEPENDENCIES, max_depth=2
    )

    assert [step.dependency.target_service_id for step in found[services[0].id]] == [
        services[1].id,
        services[2].id,
    ]


async def test_kinds_filter_every_hop(session: AsyncSession) -> None:
    a, b, c, d = await _services(session, 4)
    await create_dependency(session, a, b, RUNTIME)
    await create_dependency(session, b, c, DATA)  # breaks the RUNTIME chain
    await create_dependency(session, c, d, RUNTIME)
    await create_dependency(session, a, d, AUTH)

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=10, kinds=[RUNTIME]
    )

    assert _summary(found[a.id]) == [(b.id, 1, ())]


async def test_a_dependency_reached_twice_is_listed_once_at_its_shortest_depth(
    session: AsyncSession,
) -> None:
    a, b, c, d = await _services(session, 4)
    await create_dependency(session, a, b)
    await create_dependency(session, b, c)
    await create_dependency(session, c, d)
    await create_dependency(session, a, c)  # a shortcut: c -> d is at depth 2

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=10
    )

    edges = {
        (step.dependency.source_service_id, step.dependency.target_service_id): (
            step.depth,
            step.path,
        )
        for step in found[a.id]
    }
    assert edges == {
        (a.id, b.id): (1, ()),
        (a.id, c.id): (1, ()),
        (b.id, c.id): (2, (b.id,)),
        (c.id, d.id): (2, (c.id,)),
    }
    assert len(found[a.id]) == 4


async def test_a_cycle_ends_the_walk_without_failing_it(session: AsyncSession) -> None:
    a, b, c = await _chain(session, 3)
    await create_dependency(session, c, a)  # a -> b -> c -> a

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=20
    )

    assert _summary(found[a.id]) == [(b.id, 1, ()), (c.id, 2, (b.id,)), (a.id, 3, (b.id, c.id))]


async def test_a_cycle_away_from_the_start_ends_the_walk_too(session: AsyncSession) -> None:
    a, b, c = await _chain(session, 3)
    await create_dependency(session, c, b)  # a -> b <-> c

    found = await repository.walk(
        session, roots=[a.id], direction=Direction.DEPENDENCIES, max_depth=20
    )

    assert _summary(found[a.id]) == [(b.id, 1, ()), (c.id, 2, (b.id,)), (b.id, 3, (b.id, c.id))]


async def test_one_walk_serves_many_roots(session: AsyncSession) -> None:
    a, b, c = await _chain(session, 3)
    lonely = await create_service(session)

    found = await repository.walk(
        session,
        roots=[a.id, b.id, lonely.id],
        direction=Direction.DEPENDENCIES,
        max_depth=10,
    )

    assert _summary(found[a.id]) == [(b.id, 1, ()), (c.id, 2, (b.id,))]
    assert _summary(found[b.id]) == [(c.id, 1, ())]
    assert found[lonely.id] == []


async def test_dependents_of_a_shared_resource(session: AsyncSession) -> None:
    okta = await create_shared_resource(session, name="Okta")
    portal, api, mobile = await _services(session, 3)
    await create_dependency(session, api, okta, AUTH)
    await create_dependency(session, portal, api)
    await create_dependency(session, mobile, api)

    found = await repository.walk(
        session,
        roots=[okta.id],
        direction=Direction.DEPENDENTS,
        start=Start.SHARED_RESOURCE,
        max_depth=10,
    )

    sources = {
        (step.dependency.source_service_id, step.depth, step.path) for step in found[okta.id]
    }
    assert sources == {(api.id, 1, ()), (portal.id, 2, (api.id,)), (mobile.id, 2, (api.id,))}


async def test_every_cycle_of_the_catalog_is_listed_once(session: AsyncSession) -> None:
    a, b, c = await _chain(session, 3)
    await create_dependency(session, c, a)
    await create_dependency(session, c, a, DATA)  # a second edge, same cycle
    d = await create_service(session)
    await create_dependency(session, c, d)
    await create_dependency(session, d, c)
    await create_dependency(session, d, await create_shared_resource(session))

    found = await repository.cycles(session, max_length=10)

    assert found[None] == [
        rotate_to_smallest([c.id, d.id]),
        rotate_to_smallest([a.id, b.id, c.id]),
    ]


async def test_cycles_through_a_service_start_at_the_smallest_id(session: AsyncSession) -> None:
    a, b, c = await _chain(session, 3)
    await create_dependency(session, c, a)
    outside = await create_service(session)

    found = await repository.cycles(session, through=[b.id, outside.id], max_length=10)

    assert found == {b.id: [rotate_to_smallest([a.id, b.id, c.id])], outside.id: []}


async def test_cycles_longer_than_the_bound_are_not_looked_for(session: AsyncSession) -> None:
    services = await _chain(session, 4)
    await create_dependency(session, services[-1], services[0])

    assert (await repository.cycles(session, max_length=3))[None] == []
    assert len((await repository.cycles(session, max_length=4))[None]) == 1


def test_rotation_starts_a_cycle_at_its_smallest_id() -> None:
    low, mid, high = sorted(uuid.uuid4() for _ in range(3))

    assert rotate_to_smallest([mid, high, low]) == (low, mid, high)
    assert rotate_to_smallest([low, high, mid]) == (low, high, mid)
