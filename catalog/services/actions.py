"""Business rules of services and the people in roles on them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.permissions import require_service_editor
from catalog.services import repository
from catalog.services.calendar import BusinessCalendar, InvalidCalendar
from catalog.services.models import (
    DataClassification,
    Lifecycle,
    OwnershipRole,
    OwnershipRoleKind,
    Service,
    Tier,
)
from core.clock import utcnow
from core.errors import AccessDenied, DomainError, Duplicate, Invalid, NotFound
from core.events import ServiceClockTermsChanged, publish
from core.history import note_extra_changes
from core.records import (
    apply_changes,
    archive_record,
    check_version,
    delete_record,
    require_found,
)
from core.repository import get_by_id, get_by_ids
from core.validation import (
    not_negative,
    positive,
    slug_field,
    tag_list,
    text_field,
    url_field,
)
from identity.models import Person, Team
from identity.principal import Principal

# The unique keys of this domain's tables, as a refusal on the field they guard: the checks
# below refuse a duplicate first, but a concurrent writer can win the race to the insert.
UNIQUE_KEYS: dict[str, DomainError] = {
    "uq_service_slug": Duplicate("a service with this slug already exists", field=["slug"]),
}

_LINKS = {"runbook_url": "runbook", "repo_url": "repo", "dashboard_url": "dashboard"}


def _service_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the given service fields; unknown keys pass through."""
    checked = dict(fields)
    if "slug" in fields:
        checked["slug"] = slug_field(fields["slug"])
    if "name" in fields:
        checked["name"] = text_field(fields["name"], field="name", max_length=200)
    if "description" in fields:
        checked["description"] = text_field(
            fields["description"] or "", field="description", max_length=10_000, required=False
        )
    for column, label in _LINKS.items():
        if column in fields:
            checked[column] = url_field(fields[column], field=f"links.{label}")
    if "tags" in fields:
        checked["tags"] = tag_list(fields["tags"] or [], field="tags")
    if "compliance_regimes" in fields:
        checked["compliance_regimes"] = [
            regime.upper()
            for regime in tag_list(
                fields["compliance_regimes"] or [], field="complianceRegimes", max_length=50
            )
        ]
    if "salesforce_key" in fields and fields["salesforce_key"] is not None:
        checked["salesforce_key"] = text_field(
            fields["salesforce_key"], field="salesforceKey", max_length=200
        )
    for name, enum in (
        ("tier", Tier),
        ("lifecycle", Lifecycle),
        ("data_classification", DataClassification),
    ):
        if name in fields:
            checked[name] = enum(fields[name])
    for name, label in (
        ("backup_rpo_seconds", "backupPolicy.rpoSeconds"),
        ("backup_rto_seconds", "backupPolicy.rtoSeconds"),
    ):
        if name in fields:
            checked[name] = not_negative(fields[name], field=label)
    if "review_interval_days" in fields:
        checked["review_interval_days"] = positive(
            fields["review_interval_days"], field="reviewIntervalDays"
        )
    if "business_calendar" in fields:
        checked["business_calendar"] = _calendar_json(fields["business_calendar"])
    return checked


def _calendar_json(calendar: BusinessCalendar | None) -> dict[str, Any] | None:
    if calendar is None:
        return None
    try:
        return calendar.validate().to_json()
    except InvalidCalendar as error:
        raise Invalid(str(error), field=["businessCalendar", *error.path]) from None


async def _check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    if (
        "owner_team_id" in fields
        and await get_by_id(session, Team, fields["owner_team_id"]) is None
    ):
        raise NotFound("owner team not found", field=["ownerTeamId"])
    org_ids = fields.get("salesforce_org_ids")
    if org_ids:
        if len(set(org_ids)) != len(org_ids):
            raise Invalid("an org is listed twice", field=["salesforceOrgIds"])
        found = await get_by_ids(session, SalesforceOrg, org_ids)
        if len(found) != len(org_ids):
            raise NotFound("Salesforce org not found", field=["salesforceOrgIds"])


async def _refuse_duplicate_slug(session: AsyncSession, slug: str) -> None:
    if await repository.get_by_slug(session, slug) is not None:
        raise Duplicate(f"a service with slug {slug!r} already exists", field=["slug"])


async def create_service(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any]
) -> Service:
    """Create a service owned by a team; `salesforceKey` defaults to the slug."""
    checked = _service_fields(fields)
    require_service_editor(principal, checked["owner_team_id"])
    await _check_references(session, checked)
    await _refuse_duplicate_slug(session, checked["slug"])
    org_ids = checked.pop("salesforce_org_ids", None) or []
    if not checked.get("salesforce_key"):
        checked["salesforce_key"] = checked["slug"]
    service = Service(id=uuid.uuid4(), **checked)
    if org_ids:
        await _note_org_change(session, service.id, [], org_ids)
    session.add(service)
    await session.flush()
    await repository.replace_salesforce_orgs(session, service.id, org_ids)
    return service


async def _note_org_change(
    session: AsyncSession,
    service_id: uuid.UUID,
    before: list[uuid.UUID],
    after: list[uuid.UUID],
) -> None:
    """The org list lives in a link table: tell the history trigger what changed."""
    change = {"field": "salesforce_org_ids", "from": before, "to": after}
    await note_extra_changes(session, record_id=service_id, changes=[change])


async def update_service(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> Service:
    """Change a service; only its owner team (or an ADMIN) may, before and after a move."""
    service = require_found(await get_by_id(session, Service, service_id), what="service")
    require_service_editor(principal, service.owner_team_id)
    check_version(service, version)
    checked = _service_fields(changes)
    if "owner_team_id" in checked and checked["owner_team_id"] != service.owner_team_id:
        require_service_editor(principal, checked["owner_team_id"])
    await _check_references(session, checked)
    if "slug" in checked and checked["slug"] != service.slug:
        await _refuse_duplicate_slug(session, checked["slug"])
    if "salesforce_key" in checked and checked["salesforce_key"] is None:
        checked["salesforce_key"] = checked.get("slug", service.slug)
    org_ids = checked.pop("salesforce_org_ids", None)
    apply_changes(service, checked)
    if org_ids is not None:
        current = await repository.salesforce_org_ids(session, service.id)
        if current != org_ids:
            await _note_org_change(session, service.id, current, org_ids)
            await repository.replace_salesforce_orgs(session, service.id, org_ids)
            # Touch the row so the version (and the history trigger) move with the list.
            service.updated_at = func.now()
    await session.flush()
    if {"business_calendar", "tier"} & checked.keys():
        await publish(session, ServiceClockTermsChanged(service.id))
    return service


def _check_dates(effective_from: date, effective_to: date | None) -> None:
    if effective_to is not None and effective_to < effective_from:
        raise Invalid("effectiveTo must not be before effectiveFrom", field=["effectiveTo"])


async def _refuse_overlapping_role(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    person_id: uuid.UUID,
    role: OwnershipRoleKind,
    effective_from: date,
    effective_to: date | None,
    other_than: uuid.UUID | None = None,
) -> None:
    """Several people may share a role, but one person holds it once at a time."""
    if await repository.has_overlapping_role(
        session,
        service_id=service_id,
        person_id=person_id,
        role=role,
        effective_from=effective_from,
        effective_to=effective_to,
        other_than=other_than,
    ):
        raise Duplicate(
            f"the person already holds {role} on this service at those dates", field=["role"]
        )


async def create_ownership_role(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    person_id: uuid.UUID,
    role: OwnershipRoleKind,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> OwnershipRole:
    """Give a person a typed role on a service; several holders per role are allowed."""
    service = require_found(
        await get_by_id(session, Service, service_id), what="service", field="serviceId"
    )
    require_service_editor(principal, service.owner_team_id)
    require_found(await get_by_id(session, Person, person_id), what="person", field="personId")
    effective_from = effective_from or utcnow().date()
    _check_dates(effective_from, effective_to)
    role = OwnershipRoleKind(role)
    await _refuse_overlapping_role(
        session,
        service_id=service_id,
        person_id=person_id,
        role=role,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    ownership = OwnershipRole(
        service_id=service_id,
        person_id=person_id,
        role=role,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    session.add(ownership)
    await session.flush()
    return ownership


async def update_ownership_role(
    session: AsyncSession,
    *,
    principal: Principal,
    ownership_role_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> OwnershipRole:
    """Change a role's kind or effective dates (ending a role sets `effectiveTo`)."""
    ownership = require_found(
        await get_by_id(session, OwnershipRole, ownership_role_id), what="ownership role"
    )
    service = require_found(await get_by_id(session, Service, ownership.service_id), what="service")
    require_service_editor(principal, service.owner_team_id)
    check_version(ownership, version)
    if "role" in changes:
        changes = {**changes, "role": OwnershipRoleKind(changes["role"])}
    effective_from = changes.get("effective_from", ownership.effective_from)
    effective_to = changes.get("effective_to", ownership.effective_to)
    _check_dates(effective_from, effective_to)
    await _refuse_overlapping_role(
        session,
        service_id=ownership.service_id,
        person_id=ownership.person_id,
        role=changes.get("role", ownership.role),
        effective_from=effective_from,
        effective_to=effective_to,
        other_than=ownership.id,
    )
    apply_changes(ownership, changes)
    await session.flush()
    return ownership


async def _editable_service(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> Service:
    service = require_found(await get_by_id(session, Service, service_id), what="service")
    require_service_editor(principal, service.owner_team_id)
    return service


async def archive_service(
    session: AsyncSession, *, principal: Principal, service_id: uuid.UUID, version: int
) -> Service:
    """Hide a service from lists unless `includeArchived`; its history and links stay."""
    service = await _editable_service(session, principal, service_id)
    await archive_record(session, service, version)
    return service


async def delete_service(
    session: AsyncSession, *, principal: Principal, service_id: uuid.UUID, version: int
) -> None:
    """Delete a service nothing refers to any more (its history stays)."""
    service = await _editable_service(session, principal, service_id)
    await delete_record(session, service, version, what="service")


async def delete_ownership_role(
    session: AsyncSession, *, principal: Principal, ownership_role_id: uuid.UUID, version: int
) -> None:
    """Remove a role given by mistake; to end a role that held, set `effectiveTo` instead."""
    ownership = require_found(
        await get_by_id(session, OwnershipRole, ownership_role_id), what="ownership role"
    )
    await _editable_service(session, principal, ownership.service_id)
    await delete_record(session, ownership, version, what="ownership role")


async def confirm_service_review(
    session: AsyncSession, *, principal: Principal, service_id: uuid.UUID
) -> Service:
    """Record that the owners reviewed the service today; it is fresh again."""
    service = await _editable_service(session, principal, service_id)
    service.last_reviewed_at = utcnow()
    await session.flush()
    return service


async def get_service(session: AsyncSession, service_id: uuid.UUID) -> Service | None:
    """A service by id, for other domains (they never read the repository directly)."""
    return await get_by_id(session, Service, service_id)


async def find_service(session: AsyncSession, *, slug: str) -> Service | None:
    return await repository.get_by_slug(session, slug)


async def services_by_salesforce_key(
    session: AsyncSession, keys: Sequence[str]
) -> dict[str, Service]:
    """Services by lower-cased salesforce_key (as Salesforce compares them); first slug wins."""
    found: dict[str, Service] = {}
    for service in await repository.by_salesforce_keys(session, keys):
        found.setdefault(service.salesforce_key.lower(), service)
    return found


async def services_by_slugs(session: AsyncSession, slugs: Sequence[str]) -> dict[str, Service]:
    """Services by slug, archived ones included, in one statement."""
    return {service.slug: service for service in await repository.by_slugs(session, slugs)}


async def services_on_production_orgs(
    session: AsyncSession, credentials_refs: Sequence[str]
) -> dict[str, list[uuid.UUID]]:
    """The running (LIVE or DEPRECATED, unarchived) services on each connected production
    org, by credentials reference."""
    found: dict[str, list[uuid.UUID]] = {}
    running = (Lifecycle.LIVE, Lifecycle.DEPRECATED)
    for ref, service_id in await repository.running_on_production_orgs(
        session, credentials_refs, running
    ):
        found.setdefault(ref, []).append(service_id)
    return found


async def require_service_steward(
    session: AsyncSession, principal: Principal, service: Service, *, action: str
) -> None:
    """The owner team, a current PRODUCT_OWNER of the service, or an ADMIN."""
    if principal.is_admin or service.owner_team_id in principal.team_ids:
        return
    if principal.person_id is not None and await repository.is_current_holder(
        session, service.id, principal.person_id, OwnershipRoleKind.PRODUCT_OWNER
    ):
        return
    raise AccessDenied(f"{action} is reserved to the owner team and product owners")
