"""`Service.releases` and `Team.releases` through per-request loaders: one statement for every
service (or team) of a response, with the relations selected below."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import Selection

from graphql_schema.prefetch import loader_options
from work.releases import repository
from work.releases.models import Release


async def releases_of_services(
    selections: Sequence[Selection], session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Release]]:
    return await repository.releases_by_service_ids(
        session, keys, loader_options(selections, "Release")
    )


async def releases_of_teams(
    selections: Sequence[Selection], session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Release]]:
    return await repository.releases_by_team_ids(
        session, keys, loader_options(selections, "Release")
    )
