"""What a compiled query sends PostgreSQL over a real engine and pool: its one statement,
and no transaction (asyncpg's BEGIN, COMMIT and ROLLBACK counted where asyncpg sends them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asyncpg.transaction import Transaction
from sqlalchemy import event

from core.db import make_engine, make_sessionmaker
from core.settings import ReadPath, Settings
from server.app import create_app
from tests.builders.catalog import create_service
from tests.dev_token import DEV_TOKEN
from tests.graphql import data
from tests.lifespan import developer_client

PAGE = """
query Page($first: Int!) {
  services(first: $first) {
    totalCount
    edges { cursor node { slug name ownerTeam { name } ownershipRoles { role } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
async def wire(
    settings: Settings, fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    engine = make_engine(fresh_database)
    sessions = make_sessionmaker(engine)
    sent: list[str] = []

    def statement(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    for name in ("start", "commit", "rollback"):
        original = getattr(Transaction, name)

        async def counted(self: Transaction, _original: Any = original, _name: str = name) -> Any:
            sent.append(_name.upper())
            return await _original(self)

        monkeypatch.setattr(Transaction, name, counted)
    compiled = settings.model_copy(update={"read_path": ReadPath.COMPILED})
    app = create_app(compiled, engine=engine, sessionmaker=sessions, dev_token=DEV_TOKEN)
    async with sessions() as session, session.begin():
        for n in range(3):
            await create_service(session, slug=f"svc-{n}")
    try:
        async with developer_client(app) as client:
            await data(client, "{ viewer { roles } }")  # the development person, once
            yield client, sent
    finally:
        await engine.dispose()


async def test_a_compiled_page_is_one_statement_on_the_wire(
    wire: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, sent = wire
    for _ in range(2):  # the first plans and clears; the second takes the fast path
        sent.clear()
        page = await data(client, PAGE, {"first": 2})
        assert page["services"]["totalCount"] == 3
        assert len(sent) == 1, (sent, page)
        assert sent[0].lstrip().upper().startswith("SELECT CAST(JSON_BUILD_OBJECT")


async def test_typename_sends_nothing(wire: tuple[httpx.AsyncClient, list[str]]) -> None:
    client, sent = wire
    sent.clear()
    assert await data(client, "{ __typename }") == {"__typename": "Query"}
    assert sent == []


async def test_a_field_left_to_the_resolvers_reads_in_a_read_only_transaction(
    wire: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, sent = wire
    sent.clear()
    found = await data(
        client, 'query { service(slug: "svc-1") { slug history(first: 1) { totalCount } } }'
    )
    assert found == {"service": {"slug": "svc-1", "history": {"totalCount": 1}}}
    # The compiled statement alone; then the resolvers' transaction for the history.
    assert sent[0].lstrip().upper().startswith("SELECT CAST(JSON_BUILD_OBJECT")
    assert "START" in sent[1:]
    assert sent[-1] == "ROLLBACK"
