"""Batch loaders for the graph walks: every service of a page in one recursive statement.

A walk or a cycle search cannot be a relationship to prefetch, so these fields go through
a per-request DataLoader. There is one loader per field arguments and selection: sibling
objects of a list (same arguments, same selection) share it, and each batch is one
recursive statement, plus one statement per relation the selection needs below it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
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


Value = TypeVar("Value")
BatchLoad = Callable[[Context, Sequence[Selection], list[uuid.UUID]], Awaitable[list[Value]]]


def _loader(
    info: Info, name: str, args: Hashable, batch: BatchLoad[Value]
) -> DataLoader[uuid.UUID, Value]:
    """The request's loader for this field, these arguments and this selection."""
    selections = info.selected_fields[0].selections
    key = (name, args, repr(selections))
    loaders: dict[Any, DataLoader[uuid.UUID, Value]] = info.context.cache.setdefault(
        "graph_loaders", {}
    )
    if key not in loaders:
        context = info.context

        async def load(keys: list[uuid.UUID]) -> list[Value]:
            return await batch(context, selections, keys)

        loaders[key] = DataLoader(load_fn=load)
    return loaders[key]


async def _services(
    context: Context, ids: set[uuid.UUID], selections: Sequence[Selection]
) -> dict[uuid.UUID, Service]:
    async with context.db() as session:
        return await get_by_ids(session, Service, list(ids), loader_options(selections, "Service"))


def _walks(args: WalkArgs) -> BatchLoad[list[LoadedStep]]:
    async def batch(
        context: Context, selections: Sequence[Selection], roots: list[uuid.UUID]
    ) -> list[list[LoadedStep]]:
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

    return batch


async def load_walk(info: Info, root_id: uuid.UUID, args: WalkArgs) -> list[LoadedStep]:
    """The dependencies met walking from `root_id`, batched with its siblings."""
    return await _loader(info, "walk", args, _walks(args)).load(root_id)


def _cycles(max_length: int) -> BatchLoad[list[list[Service]]]:
    async def batch(
        context: Context, selections: Sequence[Selection], roots: list[uuid.UUID]
    ) -> list[list[list[Service]]]:
        async with context.db() as session:
            found = await repository.cycles(session, through=roots, max_length=max_length)
        members = {key for cycles in found.values() for cycle in cycles for key in cycle}
        services = await _services(context, members, selections)
        return [[[services[key] for key in cycle] for cycle in found[root]] for root in roots]

    return batch


async def load_cycles(info: Info, service_id: uuid.UUID, max_length: int) -> list[list[Service]]:
    """The cycles through a service, batched with its siblings."""
    return await _loader(info, "cycles", max_length, _cycles(max_length)).load(service_id)


async def all_cycles(info: Info, max_length: int) -> list[list[Service]]:
    """Every cycle of the catalog, once each."""
    async with info.context.db() as session:
        found = await repository.cycles(session, max_length=max_length)
    members = {key for cycle in found[None] for key in cycle}
    services = await _services(info.context, members, info.selected_fields[0].selections)
    return [[services[key] for key in cycle] for cycle in found[None]]
