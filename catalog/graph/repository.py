"""Every SQL statement about shared resources and dependencies, the graph walks included.

A walk is one recursive statement for any number of starting points, bounded by depth,
and safe on cycles: PostgreSQL's `CYCLE` clause stops a walk where it meets a service
it has already passed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ARRAY, Integer, Select, String, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from catalog.graph.models import Dependency, DependencyKind, SharedResource


class Direction(StrEnum):
    """Which way a walk follows dependencies."""

    DEPENDENCIES = "DEPENDENCIES"  # what the start needs
    DEPENDENTS = "DEPENDENTS"  # what needs the start


class Start(StrEnum):
    SERVICE = "SERVICE"
    SHARED_RESOURCE = "SHARED_RESOURCE"


def shared_resources_query(*, include_archived: bool = False) -> Select[SharedResource]:
    statement = select(SharedResource)
    if not include_archived:
        statement = statement.where(SharedResource.archived_at.is_(None))
    return statement


async def get_resource_by_name(session: AsyncSession, name: str) -> SharedResource | None:
    return await session.scalar(select(SharedResource).where(SharedResource.name == name))


async def find_dependency(
    session: AsyncSession,
    *,
    source_service_id: uuid.UUID,
    target_service_id: uuid.UUID | None,
    target_resource_id: uuid.UUID | None,
    kind: DependencyKind,
) -> Dependency | None:
    return await session.scalar(
        select(Dependency).where(
            Dependency.source_service_id == source_service_id,
            Dependency.target_service_id.is_not_distinct_from(target_service_id),
            Dependency.target_resource_id.is_not_distinct_from(target_resource_id),
            Dependency.kind == kind,
        )
    )


# The near end of a dependency (where a walk arrives from) and its far end (where it goes on).
_ENDS = {
    Direction.DEPENDENCIES: ("source_service_id", "target_service_id"),
    Direction.DEPENDENTS: ("target_service_id", "source_service_id"),
}
_WALK = """
WITH RECURSIVE walk(root_id, dependency_id, next_id, depth, path) AS (
    SELECT d.{start}, d.id, d.{far}, 1, ARRAY[]::uuid[]
      FROM dependency d
     WHERE d.{start} = ANY(:roots) AND d.kind = ANY(:kinds)
  UNION ALL
    SELECT w.root_id, d.id, d.{far}, w.depth + 1, w.path || d.{near}
      FROM walk w
      JOIN dependency d ON d.{near} = w.next_id
     WHERE w.depth < :max_depth AND d.kind = ANY(:kinds) AND w.next_id <> w.root_id
) CYCLE next_id SET is_cycle USING visited
SELECT DISTINCT ON (root_id, dependency_id) root_id, dependency_id, depth, path
  FROM walk
 ORDER BY root_id, dependency_id, depth, path
"""


@dataclass(frozen=True)
class Step:
    """A dependency met on a walk: how deep, and the services passed on the way there."""

    root_id: uuid.UUID
    dependency: Dependency
    depth: int
    path: tuple[uuid.UUID, ...]


def _walk_sql(direction: Direction, start: Start) -> str:
    near, far = _ENDS[direction]
    first = "target_resource_id" if start is Start.SHARED_RESOURCE else near
    return _WALK.format(start=first, near=near, far=far)


async def walk(
    session: AsyncSession,
    *,
    roots: Sequence[uuid.UUID],
    direction: Direction,
    start: Start = Start.SERVICE,
    max_depth: int,
    kinds: Sequence[DependencyKind] = (),
    options: Sequence[ORMOption] = (),
) -> dict[uuid.UUID, list[Step]]:
    """Every dependency reachable from each root within `max_depth` hops, in one statement.

    Each dependency is reported once per root, at its shortest depth; `path` lists the
    services passed between the root and the dependency (empty at depth 1). Cycles end a
    walk where it meets itself and are reported by `cycles`, never followed.
    """
    found: dict[uuid.UUID, list[Step]] = {root: [] for root in roots}
    if not roots:
        return found
    steps = (
        text(_walk_sql(direction, start))
        .bindparams(
            bindparam("roots", list(roots), type_=ARRAY(Uuid())),
            bindparam(
                "kinds", [str(kind) for kind in kinds or DependencyKind], type_=ARRAY(String())
            ),
            bindparam("max_depth", max_depth, type_=Integer()),
        )
        .columns(root_id=Uuid(), dependency_id=Uuid(), depth=Integer(), path=ARRAY(Uuid()))
        .subquery("walk")
    )
    statement = (
        select(Dependency, steps.c.root_id, steps.c.depth, steps.c.path)
        .join(steps, steps.c.dependency_id == Dependency.id)
        .order_by(steps.c.root_id, steps.c.depth, Dependency.created_at, Dependency.id)
        .options(*options)
    )
    for dependency, root_id, depth, path in await session.execute(statement):
        found[root_id].append(Step(root_id, dependency, depth, tuple(path)))
    return found


_CYCLES = """
WITH RECURSIVE walk(root_id, service_id, path) AS (
    SELECT s.id, s.id, ARRAY[s.id]
      FROM service s
     WHERE {roots}
  UNION ALL
    SELECT w.root_id, d.target_service_id, w.path || d.target_service_id
      FROM walk w
      JOIN dependency d ON d.source_service_id = w.service_id
     WHERE d.target_service_id IS NOT NULL AND cardinality(w.path) <= :max_length
) CYCLE service_id SET is_cycle USING visited
SELECT DISTINCT root_id, trim_array(path, 1) AS cycle
  FROM walk
 WHERE is_cycle AND service_id = root_id {once}
"""
# Every cycle is met from each of its services: keep it only from its smallest id.
_ONCE = "AND NOT EXISTS (SELECT FROM unnest(path) AS member(id) WHERE member.id < root_id)"
_HAS_SERVICE_DEPENDENCY = (
    "EXISTS (SELECT FROM dependency d WHERE d.source_service_id = s.id"
    " AND d.target_service_id IS NOT NULL)"
)


def rotate_to_smallest(cycle: Sequence[uuid.UUID]) -> tuple[uuid.UUID, ...]:
    """The same cycle, starting at its smallest id: one spelling per cycle."""
    start = cycle.index(min(cycle))
    return tuple(cycle[start:]) + tuple(cycle[:start])


async def cycles(
    session: AsyncSession, *, through: Sequence[uuid.UUID] | None = None, max_length: int
) -> dict[uuid.UUID | None, list[tuple[uuid.UUID, ...]]]:
    """Dependency cycles between services of at most `max_length` services, in one statement.

    With `through`, the cycles passing through each of those services, keyed by service;
    without, every cycle of the catalog once, under the key None. Each cycle starts at its
    smallest id; cycles are sorted by length, then ids.
    """
    if through is None:
        statement = text(_CYCLES.format(roots=_HAS_SERVICE_DEPENDENCY, once=_ONCE))
    else:
        if not through:
            return {}
        statement = text(_CYCLES.format(roots="s.id = ANY(:roots)", once="")).bindparams(
            bindparam("roots", list(through), type_=ARRAY(Uuid()))
        )
    statement = statement.bindparams(bindparam("max_length", max_length, type_=Integer()))
    found: dict[uuid.UUID | None, list[tuple[uuid.UUID, ...]]] = (
        {None: []} if through is None else {root: [] for root in through}
    )
    rows = await session.execute(statement.columns(root_id=Uuid(), cycle=ARRAY(Uuid())))
    for root_id, cycle in rows:
        found[None if through is None else root_id].append(rotate_to_smallest(cycle))
    for listed in found.values():
        listed.sort(key=lambda cycle: (len(cycle), cycle))
    return found
