"""The demo answers the support agent's search: "login" (and its typo "logn") finds the
incident, the request, the feedback and the backlog item that mention it, in one query."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import make_engine, make_sessionmaker
from service_levels.search import PUBLIC_KINDS, SearchKind, SearchRequest, search

WORK = {SearchKind.INCIDENT, SearchKind.REQUEST, SearchKind.FEEDBACK, SearchKind.BACKLOG_ITEM}


@pytest.fixture
async def seeded(demo_database: str) -> AsyncIterator[AsyncSession]:
    engine = make_engine(demo_database)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


@pytest.mark.parametrize("query", ["login", "logn"])
async def test_login_finds_the_incident_request_feedback_and_backlog_item(
    seeded: AsyncSession, query: str
) -> None:
    page = await search(
        seeded, SearchRequest(query=query, kinds=frozenset(), anonymous=False, first=100)
    )

    assert {hit.kind for hit in page.hits} >= WORK


async def test_an_anonymous_search_lists_the_public_catalog_only(seeded: AsyncSession) -> None:
    page = await search(seeded, SearchRequest(query="sso", kinds=frozenset(), anonymous=True))

    assert page.hits
    assert {hit.kind for hit in page.hits} <= PUBLIC_KINDS
    assert SearchKind.SERVICE in {hit.kind for hit in page.hits}
