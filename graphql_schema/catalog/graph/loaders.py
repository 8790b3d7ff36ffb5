"""Batch loaders for the graph walks: every service of a page in one recursive statement.

A walk or a cycle search cannot be a relationship to prefetch, so these fields go through
a per-request DataLoader. There is one loader per field arguments and selection: sibling
objects of a list (same arguments, same selection) share it, and each batch is one
recursive statement, plus one statement per relation the selection needs below it.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from strawberry.types.nodes import Selection

from catalog.graph import repository
from catalog.graph.models import Dependency, DependencyKind
from catalog.graph.repository import Direction, Start
from catalog.services.models import Service
from core.repository import get_by_ids
from graphql_schema.context import Context, Info
from graphql_schema.prefetch import child_selections, is_selected, loader_options


@dataclass(frozen=True)
class WalkArgs:
    direction: Direction
    start: Start
    max_depth: int
    kinds: tuple[DependencyKind, ...]


@dataclass(frozen=True)
class LoadedStep:
    dependency: Dependency
    depth: int
    path: list[Service]  # filled only when the selection asks for it


# A walk's or a cycle search's arguments, with the selection below the field.
WalkQuery = tuple[WalkArgs, Sequence[Selection]]
CyclesQuery = tuple[int, Sequence[Selection]]


def query_key(query: tuple[Hashable, Sequence[Selection]]) -> Hashable:
    """Sibling objects asking with the same arguments and the same selection share a loader."""
    args, selections = query
    return args, repr(selections)


async def _services(
    context: Context, ids: set[uuid.UUID], selections: Sequence[Selection]
) -> dict[uuid.UUID, Service]:
    async with context.db() as session:
        return await get_by_ids(session, Service, list(ids), loader_options(selections, "Service"))


async def walks(
    context: Context, query: WalkQuery, roots: list[uuid.UUID]
) -> list[list[LoadedStep]]:
    """A batch of walks: one recursive statement, plus one per relation selected below."""
    args, selections = query
    async with context.db() as session:
        found = await repository.walk(
            session,
            roots=roots,
            direction=args.direction,
            start=args.start,
            max_depth=args.max_depth,
            kinds=args.kinds,
            options=loader_options(selections, "DependencyEdge"),
        )
    with_path = is_selected(selections, "path")
    services: dict[uuid.UUID, Service] = {}
    if with_path:
        passed = {key for steps in found.values() for step in steps for key in step.path}
        services = await _services(context, passed, child_selections(selections, "path"))
    return [
        [
            LoadedStep(
                step.dependency,
                step.depth,
                [services[key] for key in step.path] if with_path else [],
            )
            for step in found[root]
        ]
        for root in roots
    ]


async def load_walk(info: Info, root_id: uuid.UUID, args: WalkArgs) -> list[LoadedStep]:
    """The dependencies met walking from `root_id`, batched with its siblings."""
    walks = info.context.loaders.walks[args, info.selected_fields[0].selections]
    return await walks.load(root_id)


async def cycles(
    context: Context, query: CyclesQuery, roots: list[uuid.UUID]
) -> list[list[list[Service]]]:
    """A batch of cycle searches: one recursive statement, and one for the services met."""
    max_length, selections = query
    async with context.db() as session:
        found = await repository.cycles(session, through=roots, max_length=max_length)
    members = {key for cycles in found.values() for cycle in cycles for key in cycle}
    services = await _services(context, members, selections)
    return [[[services[key] for key in cycle] for cycle in found[root]] for root in roots]


async def load_cycles(info: Info, service_id: uuid.UUID, max_length: int) -> list[list[Service]]:
    """The cycles through a service, batched with its siblings."""
    cycles = info.context.loaders.cycles[max_length, info.selected_fields[0].selections]
    return await cycles.load(service_id)


async def all_cycles(info: Info, max_length: int) -> list[list[Service]]:
    """Every cycle of the catalog, once each."""
    async with info.context.db() as session:
        found = await repository.cycles(session, max_length=max_length)
    members = {key for cycle in found[None] for key in cycle}
    services = await _services(info.context, members, info.selected_fields[0].selections)
    return [[services[key] for key in cycle] for cycle in found[None]]
