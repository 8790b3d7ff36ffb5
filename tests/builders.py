"""Small async builders for test data: sensible defaults, any field overridable."""

from __future__ import annotations

import itertools
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph.models import Dependency, DependencyKind, SharedResource, SharedResourceKind
from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.orgs.org_id import checksum
from catalog.services.models import (
    DataClassification,
    Lifecycle,
    OwnershipRole,
    OwnershipRoleKind,
    Service,
    Tier,
)
from catalog.services.repository import replace_salesforce_orgs
from identity.models import BusinessUnit, Membership, MembershipRole, Person, Team, TeamKind

_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


Record = TypeVar("Record")


async def _add(session: AsyncSession, record: Record) -> Record:
    session.add(record)
    await session.flush()
    return record


async def create_business_unit(session: AsyncSession, **overrides: Any) -> BusinessUnit:
    return await _add(session, BusinessUnit(**{"name": f"Unit {_n()}", **overrides}))


async def create_team(session: AsyncSession, **overrides: Any) -> Team:
    if "business_unit_id" not in overrides:
        overrides["business_unit_id"] = (await create_business_unit(session)).id
    n = _n()
    values = {"name": f"Team {n}", "slug": f"team-{n}", "kind": TeamKind.PRODUCT, **overrides}
    return await _add(session, Team(**values))


async def create_person(session: AsyncSession, **overrides: Any) -> Person:
    n = _n()
    values = {
        "issuer": "https://idp.example.test",
        "subject": f"user-{n}",
        "display_name": f"Person {n}",
        "email": f"person{n}@example.test",
        **overrides,
    }
    return await _add(session, Person(**values))


async def create_membership(session: AsyncSession, **overrides: Any) -> Membership:
    values = {"role": MembershipRole.ENGINEER, **overrides}
    return await _add(session, Membership(**values))


def org_id(n: int) -> str:
    fifteen = f"00D{n:012d}"
    return fifteen + checksum(fifteen)


async def create_org(session: AsyncSession, **overrides: Any) -> SalesforceOrg:
    n = _n()
    values = {
        "org_id": org_id(n),
        "name": f"Org {n}",
        "instance_url": f"https://org{n}.my.salesforce.com",
        "kind": OrgKind.PRODUCTION,
        **overrides,
    }
    return await _add(session, SalesforceOrg(**values))


async def create_service(
    session: AsyncSession, *, orgs: list[SalesforceOrg] | None = None, **overrides: Any
) -> Service:
    if "owner_team_id" not in overrides:
        overrides["owner_team_id"] = (await create_team(session)).id
    n = _n()
    slug = overrides.get("slug", f"service-{n}")
    values = {
        "slug": slug,
        "name": f"Service {n}",
        "tier": Tier.TIER_2,
        "lifecycle": Lifecycle.LIVE,
        "data_classification": DataClassification.INTERNAL,
        "salesforce_key": slug,
        **overrides,
    }
    service = await _add(session, Service(**values))
    if orgs:
        await replace_salesforce_orgs(session, service.id, [org.id for org in orgs])
    return service


async def create_ownership_role(session: AsyncSession, **overrides: Any) -> OwnershipRole:
    values = {"role": OwnershipRoleKind.PRODUCT_OWNER, **overrides}
    role = await _add(session, OwnershipRole(**values))
    await session.refresh(role, ["effective_from"])
    return role


async def create_shared_resource(session: AsyncSession, **overrides: Any) -> SharedResource:
    if "owner_team_id" not in overrides:
        overrides["owner_team_id"] = (await create_team(session)).id
    values = {"name": f"Resource {_n()}", "kind": SharedResourceKind.MIDDLEWARE, **overrides}
    return await _add(session, SharedResource(**values))


async def create_dependency(
    session: AsyncSession,
    source: Service,
    target: Service | SharedResource,
    kind: DependencyKind = DependencyKind.RUNTIME,
    **overrides: Any,
) -> Dependency:
    """`source` depends on `target`, a service or a shared resource."""
    if isinstance(target, Service):
        overrides["target_service_id"] = target.id
    else:
        overrides["target_resource_id"] = target.id
    return await _add(session, Dependency(source_service_id=source.id, kind=kind, **overrides))
