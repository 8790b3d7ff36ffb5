"""Every mutation, refusal and sensitive read leaves an append-only audit event."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from tests.builders.identity import create_business_unit, create_person
from tests.graphql import data, gql
from tests.identity.idp import TestIssuer

CREATE_UNIT = """
mutation($name: String!) {
  createBusinessUnit(input: {name: $name}) { businessUnit { id } userErrors { code } }
}
"""
AUDIT_EVENTS = """
query($filter: AuditEventFilter) {
  auditEvents(filter: $filter, first: 20) {
    edges { node { action outcome actor targetType targetId requestId clientIp details } }
  }
}
"""


async def _events(session: AsyncSession, action: str) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    )
    return list(rows)


async def test_a_mutation_is_audited_in_its_transaction(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = await data(client, CREATE_UNIT, {"name": "Field Operations"})
    unit_id = created["createBusinessUnit"]["businessUnit"]["id"]

    events = await _events(session, "createBusinessUnit")

    assert len(events) == 1
    event = events[0]
    assert event.outcome is AuditOutcome.SUCCESS
    assert event.target_type == "BusinessUnit"
    assert global_id("BusinessUnit", __import__("uuid").UUID(event.target_id)) == unit_id
    assert event.actor is not None
    assert event.actor.startswith("person:")
    assert event.client_ip == "127.0.0.1"
    assert event.request_id


async def test_a_refused_mutation_is_audited_with_its_errors(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_business_unit(session, name="Finance")

    refused = await data(client, CREATE_UNIT, {"name": "Finance"})

    assert refused["createBusinessUnit"]["userErrors"] == [{"code": "DUPLICATE"}]
    (event,) = await _events(session, "createBusinessUnit")
    assert event.outcome is AuditOutcome.REFUSED
    assert event.details == {"userErrors": [{"code": "DUPLICATE", "field": ["name"]}]}


async def test_audit_events_cannot_be_changed_or_deleted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await data(client, CREATE_UNIT, {"name": "Operations"})

    with pytest.raises(DBAPIError, match="append-only"):
        async with session.begin_nested():
            await session.execute(text("UPDATE audit_event SET actor = 'someone else'"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with session.begin_nested():
            await session.execute(text("DELETE FROM audit_event"))


async def test_reading_the_audit_log_is_itself_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await data(client, CREATE_UNIT, {"name": "Legal"})

    result = await data(client, AUDIT_EVENTS, {"filter": {"action": "createBusinessUnit"}})

    (node,) = (edge["node"] for edge in result["auditEvents"]["edges"])
    assert node["action"] == "createBusinessUnit"
    assert node["outcome"] == "SUCCESS"
    (read,) = await _events(session, "READ_SENSITIVE")
    assert list(read.details) == ["AuditEvent"]


async def test_reading_emails_is_audited_once_per_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    people = [await create_person(session) for _ in range(3)]

    await data(client, "{ people(first: 50) { edges { node { displayName email } } } }")

    (read,) = await _events(session, "READ_SENSITIVE")
    assert {str(person.id) for person in people} <= set(read.details["Person.email"])


async def test_a_viewer_cannot_read_the_audit_log(make_viewer_client: httpx.AsyncClient) -> None:
    body = await gql(make_viewer_client, AUDIT_EVENTS)

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_invalid_token_is_audited(
    oidc_client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    response = await oidc_client.post(
        "/graphql",
        json={"query": "{ viewer { roles } }"},
        headers={"Authorization": f"Bearer {issuer.token(aud='elsewhere')}"},
    )

    assert response.status_code == 401
    (event,) = await _events(session, "AUTHENTICATE")
    assert event.outcome is AuditOutcome.DENIED
    assert event.actor is None


async def test_a_flood_of_refusals_is_audited_only_up_to_the_rate_limit(
    oidc_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(40):
        await oidc_client.get("/healthz", headers={"Authorization": "Bearer junk"})

    events = await _events(session, "AUTHENTICATE")

    assert len(events) == 30
