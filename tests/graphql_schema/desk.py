"""The service desk under test: callers signed by a real test issuer.

Each caller is a real bearer token from `TestIssuer` (the validator is never patched): a
person with IdP groups and team memberships, or the `monitoring` machine client.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from identity.models import MembershipRole, Person
from server.app import create_app
from tests.builders.identity import create_membership, create_person
from tests.graphql import gql
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan

GROUPS = {
    "catalog-admins": "ADMIN",
    "catalog-support": "SUPPORT_AGENT",
    "catalog-contributors": "CONTRIBUTOR",
}
MONITORING = "monitoring"
_subjects = itertools.count(1)


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
        person = await create_person(
            session, issuer=self.issuer.issuer, subject=f"desk-{next(_subjects)}"
        )
        for team_id in teams:
            await create_membership(session, person_id=person.id, team_id=team_id, role=role)
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
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Desk(client, issuer)
