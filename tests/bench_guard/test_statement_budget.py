"""The read path's statement budget: one statement per selected relation, whatever the page size.

bench/ measures the same selection (bench.documents.SERVICES_PAGE) against hand-written SQL;
these tests keep its R3 figure from regressing between benchmark runs.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bench.documents import SELECTED_RELATIONS, SERVICE_BY_SLUG, SERVICES_PAGE
from tests.builders.catalog import create_org, create_ownership_role, create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.conftest import StatementCounter
from tests.graphql import data

# Per request, beside the domain reads: SET TRANSACTION READ ONLY (only on the harness's
# shared connection: over an engine a read opens with BEGIN READ ONLY, see
# tests/graphql_schema/test_round_trips.py). The caller's identity is not looked up again:
# the first request's lookup is cached (identity/principal_cache.py).
OVERHEAD_STATEMENTS = 1


# The test harness runs each session in a savepoint of the test's transaction.
_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _split(counter: StatementCounter) -> tuple[int, int]:
    """(domain statements, per-request overhead statements)."""
    statements = [sql.lstrip() for sql in counter.statements]
    statements = [sql for sql in statements if not sql.upper().startswith(_HARNESS)]
    overhead = sum(
        1
        for sql in statements
        if sql.upper().startswith("SET TRANSACTION") or "person.issuer =" in sql
    )
    return len(statements) - overhead, overhead


async def _populate(session: AsyncSession, count: int) -> str:
    unit = await create_business_unit(session)
    teams = [await create_team(session, business_unit_id=unit.id) for _ in range(3)]
    production = await create_org(session)
    sandbox = await create_org(session, kind="SANDBOX", parent_id=production.id)
    people = [await create_person(session) for _ in range(4)]
    slug = ""
    for index in range(count):
        service = await create_service(
            session, owner_team_id=teams[index % 3].id, orgs=[production, sandbox]
        )
        slug = service.slug
        for person in people[: 1 + index % 3]:
            await create_ownership_role(session, service_id=service.id, person_id=person.id)
    return slug


@pytest.mark.read_path("resolvers")  # the prefetch path, where the compiled one falls back
async def test_full_selection_reads_one_statement_per_relation_at_any_page_size(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    await _populate(session, 30)
    await data(client, "{ __typename }")  # provisions the development person first
    budgets = []
    for first in (1, 5, 30):
        count_statements.reset()
        page = await data(client, SERVICES_PAGE, {"first": first})
        assert len(page["services"]["edges"]) == first
        budgets.append(_split(count_statements))
    assert budgets == [(1 + SELECTED_RELATIONS, OVERHEAD_STATEMENTS)] * 3, budgets


@pytest.mark.read_path("resolvers")
async def test_one_service_in_depth_reads_one_statement_per_relation(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    slug = await _populate(session, 3)
    await data(client, "{ __typename }")
    count_statements.reset()
    found = await data(client, SERVICE_BY_SLUG, {"slug": slug})
    assert found["service"]["slug"] == slug
    assert found["service"]["salesforceOrgs"][1]["parent"] is not None
    assert _split(count_statements) == (1 + SELECTED_RELATIONS, OVERHEAD_STATEMENTS)


@pytest.mark.read_path("compiled")
async def test_the_compiled_path_reads_the_full_selection_in_one_statement(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    slug = await _populate(session, 30)
    await data(client, "{ __typename }")
    budgets = []
    for first in (1, 5, 30):
        count_statements.reset()
        page = await data(client, SERVICES_PAGE, {"first": first})
        assert len(page["services"]["edges"]) == first
        budgets.append(_split(count_statements))
    count_statements.reset()
    found = await data(client, SERVICE_BY_SLUG, {"slug": slug})
    assert found["service"]["salesforceOrgs"][1]["parent"] is not None
    budgets.append(_split(count_statements))
    # The harness's shared connection keeps its SET TRANSACTION READ ONLY (see OVERHEAD_STATEMENTS).
    assert budgets == [(1, OVERHEAD_STATEMENTS)] * 4, budgets
