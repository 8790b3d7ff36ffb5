"""Builders for services, ownership roles, Salesforce orgs, shared resources and dependencies."""

from __future__ import annotations

from typing import Any

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
from tests.builders.identity import create_team
from tests.builders.kit import add, number


def org_id(n: int) -> str:
    fifteen = f"00D{n:012d}"
    return fifteen + checksum(fifteen)


async def create_org(session: AsyncSession, **overrides: Any) -> SalesforceOrg:
    n = number()
    values = {
        "org_id": org_id(n),
        "name": f"Org {n}",
        "instance_url": f"https://org{n}.my.salesforce.com",
        "kind": OrgKind.PRODUCTION,
        **overrides,
    }
    return await add(session, SalesforceOrg(**values))


async def create_service(
    session: AsyncSession, *, orgs: list[SalesforceOrg] | None = None, **overrides: Any
) -> Service:
    if "owner_team_id" not in overrides:
        overrides["owner_team_id"] = (await create_team(session)).id
    n = number()
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
    service = await add(session, Service(**values))
    if orgs:
        await replace_salesforce_orgs(session, service.id, [org.id for org in orgs])
    return service


async def create_ownership_role(session: AsyncSession, **overrides: Any) -> OwnershipRole:
    values = {"role": OwnershipRoleKind.PRODUCT_OWNER, **overrides}
    role = await add(session, OwnershipRole(**values))
    await session.refresh(role, ["effective_from"])
    return role


async def create_shared_resource(session: AsyncSession, **overrides: Any) -> SharedResource:
    if "owner_team_id" not in overrides:
        overrides["owner_team_id"] = (await create_team(session)).id
    values = {"name": f"Resource {number()}", "kind": SharedResourceKind.MIDDLEWARE, **overrides}
    return await add(session, SharedResource(**values))


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
    return await add(session, Dependency(source_service_id=source.id, kind=kind, **overrides))
