"""Upserting an imported catalog through the catalog's actions: by slug, only what changed,
in history; a refused record leaves nothing behind; a dry run writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.catalog_import.actions import import_catalog
from catalog.catalog_import.records import ImportFormat, ImportReport, Outcome
from catalog.graph.models import Dependency, SharedResource
from catalog.services.models import Lifecycle, Service, Tier
from core.errors import AccessDenied, DomainErrors
from core.history import RecordVersion, set_transaction_actor
from identity.models import Membership, MembershipRole, Team
from identity.principal import Principal, Role
from tests.builders.catalog import create_org
from tests.builders.identity import create_business_unit, create_person, create_team

ADMIN = Principal(subject="importer", issuer="test", granted_roles=frozenset({Role.ADMIN}))

TEAM = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: crm-team}
spec:
  type: team
  parent: crm-unit
  profile: {displayName: CRM Team, email: crm@example.com}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: crm-unit}
spec: {type: business-unit, profile: {displayName: CRM Unit}}
"""
# The component comes before what it depends on: the second pass still finds them.
SERVICES = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: case-routing
  title: Case Routing
  annotations: {servicecatalog.io/tier: TIER_1}
spec:
  lifecycle: production
  owner: group:default/crm-team
  dependsOn: [component:case-sync, resource:okta]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: case-sync, title: Case Sync}
spec: {lifecycle: experimental, owner: crm-team}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: okta, title: Okta}
spec: {type: idp, owner: crm-team}
"""


async def _import(
    session: AsyncSession, content: str, *, format: ImportFormat = ImportFormat.BACKSTAGE,
    dry_run: bool = False, principal: Principal = ADMIN,
) -> ImportReport:  # fmt: skip
    await set_transaction_actor(session, actor=principal.actor, request_id=None)
    return await import_catalog(
        session, principal=principal, format=format, content=content, dry_run=dry_run
    )


def _outcomes(report: ImportReport) -> list[tuple[str, Outcome, Any]]:
    return [(record.name, record.outcome, record.reason) for record in report.records]


async def _count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _service(session: AsyncSession, slug: str) -> Service | None:
    return await session.scalar(
        select(Service).where(Service.slug == slug).execution_options(populate_existing=True)
    )


async def test_an_import_creates_then_a_second_run_changes_nothing(session: AsyncSession) -> None:
    first = await _import(session, TEAM + "---" + SERVICES)
    versions = await _count(session, RecordVersion)
    second = await _import(session, TEAM + "---" + SERVICES)

    assert _outcomes(first) == [
        ("crm-team", Outcome.CREATED, None),
        ("crm-unit", Outcome.CREATED, None),
        ("case-routing", Outcome.CREATED, None),
        ("case-sync", Outcome.CREATED, None),
        ("okta", Outcome.CREATED, None),
    ]
    assert {record.outcome for record in second.records} == {Outcome.UNCHANGED}
    assert await _count(session, RecordVersion) == versions
    routing = await _service(session, "case-routing")
    assert routing is not None
    assert (routing.name, routing.tier, routing.lifecycle) == (
        "Case Routing", Tier.TIER_1, Lifecycle.LIVE,
    )  # fmt: skip
    assert await _count(session, Dependency) == 2
    team = await session.scalar(select(Team).where(Team.slug == "crm-team"))
    assert team is not None
    assert team.contact_email == "crm@example.com"


async def test_a_changed_field_updates_only_that_field_and_history_shows_it(
    session: AsyncSession,
) -> None:
    await _import(session, TEAM + "---" + SERVICES)
    routing = await _service(session, "case-routing")
    assert routing is not None

    changed = await _import(session, TEAM + "---" + SERVICES.replace("TIER_1", "TIER_2"))

    assert [(r.name, r.outcome, r.changed_fields) for r in changed.records if r.changed_fields] == [
        ("case-routing", Outcome.UPDATED, ("tier",))
    ]
    history = (
        await session.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_id == routing.id)
            .order_by(RecordVersion.version)
        )
    ).all()
    assert [(version.action, version.actor) for version in history] == [
        ("CREATE", ADMIN.actor),
        ("UPDATE", ADMIN.actor),
    ]
    assert history[1].changes == [{"field": "tier", "from": "TIER_1", "to": "TIER_2"}]


async def test_a_dangling_dependency_refuses_the_whole_record_and_nothing_of_it_is_written(
    session: AsyncSession,
) -> None:
    await _import(session, TEAM)
    content = SERVICES.replace("component:case-sync", "component:ledger")

    report = await _import(session, content)

    assert _outcomes(report) == [
        (
            "case-routing",
            Outcome.REFUSED,
            "dependency component:ledger not found: no service 'ledger' in the catalog or in"
            " this import",
        ),
        ("case-sync", Outcome.CREATED, None),
        ("okta", Outcome.CREATED, None),
    ]
    assert await _service(session, "case-routing") is None
    assert await _count(session, Dependency) == 0


async def test_an_unknown_owner_is_refused_per_record(session: AsyncSession) -> None:
    report = await _import(session, SERVICES)

    assert {record.outcome for record in report.records} == {Outcome.REFUSED}
    assert report.records[1].reason == (
        "owner team 'crm-team' not found (spec.owner names a Group: a team slug)"
    )
    assert await _count(session, SharedResource) == 0


async def test_a_dry_run_reports_and_writes_nothing(session: AsyncSession) -> None:
    teams = await _count(session, Team)

    report = await _import(session, TEAM + "---" + SERVICES, dry_run=True)

    assert report.dry_run
    assert report.count(Outcome.CREATED) == 5
    assert await _count(session, Team) == teams
    assert await _service(session, "case-sync") is None
    assert await _count(session, RecordVersion) == 0


async def test_the_org_annotation_links_the_service_to_a_known_org_only(
    session: AsyncSession,
) -> None:
    org = await create_org(session)
    await _import(session, TEAM)
    linked = SERVICES.replace(
        "annotations: {servicecatalog.io/tier: TIER_1}",
        f"annotations: {{salesforce.com/org-id: {org.org_id}}}",
    )
    unknown = linked.replace(org.org_id, "00D000000000000")

    refused = await _import(session, unknown)
    created = await _import(session, linked)

    assert refused.records[0].reason == "Salesforce org 00D000000000000EAA is not in the catalog"
    assert created.records[0].outcome is Outcome.CREATED
    service = await _service(session, "case-routing")
    assert service is not None
    assert service.tier is Tier.TIER_3  # not given: the default of a new service


async def test_a_user_adds_memberships_to_a_person_who_signed_in(session: AsyncSession) -> None:
    unit = await create_business_unit(session)
    team = await create_team(session, slug="crm-team", business_unit_id=unit.id)
    person = await create_person(session, email="Jo@Example.com", email_verified=True)
    user = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jo, annotations: {servicecatalog.io/team-role: SUPPORT_L2}}
spec: {profile: {email: jo@example.com}, memberOf: [crm-team]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: nobody}
spec: {profile: {email: nobody@example.com}, memberOf: [crm-team]}
"""

    first = await _import(session, user)
    second = await _import(session, user)

    assert [(r.outcome, r.changed_fields) for r in first.records] == [
        (Outcome.UPDATED, ("memberships",)),
        (Outcome.SKIPPED, ()),
    ]
    assert second.records[0].outcome is Outcome.UNCHANGED
    membership = await session.scalar(select(Membership).where(Membership.team_id == team.id))
    assert membership is not None
    assert (membership.person_id, membership.role) == (person.id, MembershipRole.SUPPORT_L2)


async def test_csv_rows_upsert_services_by_slug(session: AsyncSession) -> None:
    await create_team(session, slug="crm-team")
    content = (
        "slug,name,owner,lifecycle,tier,depends_on\n"
        "billing,Billing,crm-team,production,TIER_2,component:invoicing\n"
        "invoicing,Invoicing,crm-team,deprecated,,\n"
        "ledger,Ledger,nobody,production,,\n"
    )

    first = await _import(session, content, format=ImportFormat.CSV)
    second = await _import(
        session, content.replace("Invoicing,crm-team", "Invoices,crm-team"),
        format=ImportFormat.CSV,
    )  # fmt: skip

    assert [(r.source, r.outcome) for r in first.records] == [
        ("line 2", Outcome.CREATED),
        ("line 3", Outcome.CREATED),
        ("line 4", Outcome.REFUSED),
    ]
    assert [(r.outcome, r.changed_fields) for r in second.records[:2]] == [
        (Outcome.UNCHANGED, ()),
        (Outcome.UPDATED, ("name",)),
    ]
    assert await _count(session, Dependency) == 1


async def test_a_malformed_content_is_refused_as_a_whole(session: AsyncSession) -> None:
    with pytest.raises(DomainErrors) as refused:
        await _import(session, "slug,name\nx,X\n", format=ImportFormat.CSV)

    assert [error.field for error in refused.value.errors] == [["content"]]


async def test_only_an_admin_may_import(session: AsyncSession) -> None:
    owner = Principal(subject="po", issuer="test", granted_roles=frozenset({Role.PRODUCT_OWNER}))

    with pytest.raises(AccessDenied):
        await _import(session, TEAM, principal=owner)
