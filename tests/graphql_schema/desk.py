"""The service desk under test: callers signed by a real test issuer, and request/incident builders.

Each caller is a real bearer token from `TestIssuer` (the validator is never patched): a
person with IdP groups and team memberships, or the `monitoring` machine client.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import utcnow
from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from identity.models import MembershipRole, Person
from server.app import create_app
from tests import builders
from tests.graphql import gql
from tests.identity.idp import TestIssuer
from work.incidents.models import (
    Incident,
    IncidentSource,
    IncidentStatus,
    IncidentStatusChange,
    Severity,
    incident_service,
)
from work.requests.models import (
    Level,
    Priority,
    RequestKind,
    RequestStatus,
    RequestStatusChange,
    ServiceRequest,
)

GROUPS = {
    "catalog-admins": "ADMIN",
    "catalog-support": "SUPPORT_AGENT",
    "catalog-contributors": "CONTRIBUTOR",
}
MONITORING = "monitoring"
_subjects = itertools.count(1)


def running_issuer() -> Iterator[TestIssuer]:
    issuer = TestIssuer()
    issuer.start()
    yield issuer
    issuer.stop()


def desk_settings(issuer: TestIssuer, **overrides: Any) -> Settings:
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        role_map=GROUPS,
        machine_clients={MONITORING: ("SUPPORT_AGENT",)},
    )
    return load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(config,),
        anonymous_read=False,
        _env_file=None,
        **overrides,
    )


@dataclass
class Caller:
    client: httpx.AsyncClient
    headers: dict[str, str]
    person: Person | None

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await gql(self.client, query, variables, headers=self.headers)

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = await self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


@dataclass
class Desk:
    client: httpx.AsyncClient
    issuer: TestIssuer

    async def person(
        self,
        session: AsyncSession,
        *groups: str,
        teams: Sequence[uuid.UUID] = (),
        role: MembershipRole = MembershipRole.ENGINEER,
    ) -> Caller:
        """A person with these IdP groups (`support`, `admins`, `contributors`) and teams."""
        person = await builders.create_person(
            session, issuer=self.issuer.issuer, subject=f"desk-{next(_subjects)}"
        )
        for team_id in teams:
            await builders.create_membership(
                session, person_id=person.id, team_id=team_id, role=role
            )
        token = self.issuer.token(
            sub=person.subject, groups=[f"catalog-{group}" for group in groups]
        )
        return Caller(self.client, {"Authorization": f"Bearer {token}"}, person)

    def machine(self, client_id: str = MONITORING) -> Caller:
        token = self.issuer.token(sub=f"{client_id}-service-account", client_id=client_id)
        return Caller(self.client, {"Authorization": f"Bearer {token}"}, None)


@asynccontextmanager
async def desk_client(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings | None = None,
) -> AsyncIterator[Desk]:
    app = create_app(settings or desk_settings(issuer), engine=engine, sessionmaker=sessionmaker)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Desk(client, issuer)


async def create_request(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    requester_id: uuid.UUID,
    status: RequestStatus = RequestStatus.NEW,
    **overrides: Any,
) -> ServiceRequest:
    """A request already in `status`, with the status change that brought it there."""
    values: dict[str, Any] = {
        "title": "Give me access",
        "body": "To the reports",
        "kind": RequestKind.ACCESS,
        "impact": Level.MEDIUM,
        "urgency": Level.MEDIUM,
        "priority": Priority.P3,
        "created_at": utcnow(),  # the wall clock: a transaction's now() would tie them all
        **overrides,
    }
    if status is RequestStatus.FULFILLED:
        values.setdefault("fulfilled_at", utcnow())
    request = ServiceRequest(
        id=uuid.uuid4(), service_id=service_id, requester_id=requester_id, status=status, **values
    )
    session.add(request)
    await session.flush()
    session.add(RequestStatusChange(request_id=request.id, to_status=status, at=utcnow()))
    await session.flush()
    return request


async def create_incident(
    session: AsyncSession,
    *,
    service_ids: Sequence[uuid.UUID],
    status: IncidentStatus = IncidentStatus.DETECTED,
    detected_at: datetime | None = None,
    **overrides: Any,
) -> Incident:
    at = detected_at or utcnow()
    values: dict[str, Any] = {
        "title": "Checkout is down",
        "severity": Severity.SEV2,
        "source": IncidentSource.USER_REPORT,
        "detected_at": at,
        "status_changed_at": at,
        "created_at": utcnow(),
        **overrides,
    }
    incident = Incident(id=uuid.uuid4(), status=status, **values)
    session.add(incident)
    await session.flush()
    await session.execute(
        incident_service.insert().values(
            [{"incident_id": incident.id, "service_id": key} for key in service_ids]
        )
    )
    session.add(IncidentStatusChange(incident_id=incident.id, to_status=status, at=at))
    await session.flush()
    return incident
