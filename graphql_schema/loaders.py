"""Per-request DataLoaders, for what a list resolver cannot prefetch (arguments, the caller)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from graphql_schema.context import Context

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


def loader(
    context: Context,
    name: Hashable,
    batch: Callable[[AsyncSession, Sequence[Key]], Awaitable[dict[Key, Value]]],
    default: Value | None = None,
) -> DataLoader[Key, Value | None]:
    """The request's loader `name`; one statement per batch, through the request's session."""
    loaders: dict[Hashable, Any] = context.cache.setdefault("loaders", {})
    if name not in loaders:

        async def load(keys: list[Key]) -> list[Value | None]:
            async with context.db() as session:
                found = await batch(session, keys)
            return [found.get(key, default) for key in keys]

        loaders[name] = DataLoader(load_fn=load)
    found_loader: DataLoader[Key, Value | None] = loaders[name]
    return found_loader
