"""Each entry upserted through the catalog's own actions: created, updated (only what
differs, so history shows just that), left unchanged, or skipped with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.catalog_import import repository
from catalog.catalog_import.records import Entry, Outcome, Ref, Target
from catalog.graph import actions as graph_actions
from catalog.graph.models import DependencyKind, SharedResourceKind
from catalog.services import actions as service_actions
from catalog.services.models import DataClassification, Service, Tier
from core.errors import Invalid, NotFound, Required
from core.validation import tag_list
from identity import actions as identity_actions
from identity.models import Team, TeamKind
from identity.principal import Principal

NEW_SERVICE_DEFAULTS = {"tier": Tier.TIER_3, "data_classification": DataClassification.INTERNAL}
BUSINESS_UNIT_HINT = (
    "a new team needs a business unit: a spec.parent Group of type business-unit in the"
    " same import, or the annotation servicecatalog.io/business-unit"
)
# How reports name the fields that changed.
FIELD_NAMES = {
    "owner_team_id": "owner",
    "salesforce_org_ids": "salesforceOrgs",
    "business_unit_id": "businessUnit",
    "runbook_url": "links.runbook",
    "repo_url": "links.repo",
    "dashboard_url": "links.dashboard",
    "data_classification": "dataClassification",
    "compliance_regimes": "complianceRegimes",
    "contact_email": "contactEmail",
    "chat_channel": "chatChannel",
}


@dataclass(frozen=True)
class Applied:
    outcome: Outcome
    changed: tuple[str, ...] = ()
    reason: str | None = None


def field_names(columns: list[str]) -> tuple[str, ...]:
    return tuple(FIELD_NAMES.get(column, column) for column in columns)


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, str) or current is None:
        current = (current or "").strip()
        wanted = ("" if wanted is None else str(wanted)).strip()
    return bool(current != wanted)


def _changes(record: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in wanted.items() if _differs(getattr(record, key), value)}


async def owner_team(session: AsyncSession, slug: str | None) -> Team:
    team = await repository.team_by_slug(session, slug or "")
    if team is None:
        raise NotFound(f"owner team {slug!r} not found (spec.owner names a Group: a team slug)")
    return team


async def _service_wanted(session: AsyncSession, entry: Entry) -> dict[str, Any]:
    wanted = {key: value for key, value in entry.fields.items() if key != "slug"}
    wanted["owner_team_id"] = (await owner_team(session, entry.owner)).id
    if "tags" in wanted:
        wanted["tags"] = tag_list(wanted["tags"], field="tags")
    if "compliance_regimes" in wanted:
        regimes = tag_list(wanted["compliance_regimes"], field="complianceRegimes", max_length=50)
        wanted["compliance_regimes"] = [regime.upper() for regime in regimes]
    if entry.org_ids is not None:
        keys = await repository.org_keys(session, entry.org_ids)
        unknown = [org_id for org_id in entry.org_ids if org_id not in keys]
        if unknown:
            raise NotFound(f"Salesforce org {unknown[0]} is not in the catalog")
        wanted["salesforce_org_ids"] = [keys[org_id] for org_id in entry.org_ids]
    return wanted


async def apply_service(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    wanted = await _service_wanted(session, entry)
    service = await service_actions.find_service(session, slug=entry.name)
    if service is None:
        fields = {**NEW_SERVICE_DEFAULTS, **wanted, "slug": entry.name}
        await service_actions.create_service(session, principal=principal, fields=fields)
        return Applied(Outcome.CREATED)
    orgs = wanted.pop("salesforce_org_ids", None)
    changes = _changes(service, wanted)
    if orgs is not None and orgs != await repository.service_org_keys(session, service.id):
        changes["salesforce_org_ids"] = orgs
    if not changes:
        return Applied(Outcome.UNCHANGED)
    await service_actions.update_service(
        session, principal=principal, service_id=service.id, version=service.version,
        changes=changes,
    )  # fmt: skip
    return Applied(Outcome.UPDATED, field_names(list(changes)))


async def apply_business_unit(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    name = entry.fields["name"]
    if await repository.business_unit_by_name(session, name) is not None:
        return Applied(Outcome.UNCHANGED)
    await identity_actions.create_business_unit(session, principal=principal, name=name)
    return Applied(Outcome.CREATED)


async def apply_team(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    wanted = {key: value for key, value in entry.fields.items() if key != "slug"}
    if entry.business_unit is not None:
        unit = await repository.business_unit_by_name(session, entry.business_unit)
        if unit is None:
            raise NotFound(f"business unit {entry.business_unit!r} not found")
        wanted["business_unit_id"] = unit.id
    team = await repository.team_by_slug(session, entry.name)
    if team is None:
        if "business_unit_id" not in wanted:
            raise Required(BUSINESS_UNIT_HINT)
        await identity_actions.create_team(
            session,
            principal=principal,
            slug=entry.name,
            name=wanted["name"],
            kind=wanted.get("kind", TeamKind.PRODUCT),
            business_unit_id=wanted["business_unit_id"],
            contact_email=wanted.get("contact_email"),
            chat_channel=wanted.get("chat_channel"),
        )
        return Applied(Outcome.CREATED)
    changes = _changes(team, wanted)
    if not changes:
        return Applied(Outcome.UNCHANGED)
    await identity_actions.update_team(
        session, principal=principal, team_id=team.id, version=team.version, changes=changes
    )
    return Applied(Outcome.UPDATED, field_names(list(changes)))


async def apply_resource(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    wanted = {**entry.fields, "owner_team_id": (await owner_team(session, entry.owner)).id}
    resource = await repository.resource_by_name(session, wanted["name"])
    if resource is None:
        await graph_actions.create_shared_resource(session, principal=principal, fields=wanted)
        return Applied(Outcome.CREATED)
    changes = _changes(resource, wanted)
    if not changes:
        return Applied(Outcome.UNCHANGED)
    await graph_actions.update_shared_resource(
        session, principal=principal, resource_id=resource.id, version=resource.version,
        changes=changes,
    )  # fmt: skip
    return Applied(Outcome.UPDATED, field_names(list(changes)))


async def apply_person(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    """Memberships of a person who already signed in (or was provisioned by SCIM)."""
    teams = [await owner_team(session, slug) for slug in entry.member_of]
    people = await repository.verified_people_by_email(session, entry.email or "")
    if not people:
        return Applied(
            Outcome.SKIPPED,
            reason=f"nobody with the verified email {entry.email} has signed in or been"
            " provisioned by SCIM yet; an import never creates people",
        )
    if len(people) > 1:
        raise Invalid(f"several people have the verified email {entry.email}")
    person = people[0]
    current = await repository.membership_team_ids(session, person.id)
    added = [team for team in teams if team.id not in current]
    for team in added:
        await identity_actions.create_membership(
            session, principal=principal, person_id=person.id, team_id=team.id,
            role=entry.fields["role"],
        )  # fmt: skip
    if not added:
        return Applied(Outcome.UNCHANGED)
    return Applied(Outcome.UPDATED, ("memberships",))


async def apply_system(session: AsyncSession, principal: Principal, entry: Entry) -> Applied:
    if entry.owner is not None:
        await owner_team(session, entry.owner)
    return Applied(
        Outcome.SKIPPED,
        reason=f"a System is a grouping: its components carry the tag system:{entry.name}",
    )


APPLY: dict[Target, Callable[[AsyncSession, Principal, Entry], Awaitable[Applied]]] = {
    Target.BUSINESS_UNIT: apply_business_unit,
    Target.TEAM: apply_team,
    Target.SHARED_RESOURCE: apply_resource,
    Target.SERVICE: apply_service,
    Target.PERSON: apply_person,
    Target.SYSTEM: apply_system,
}

_KIND_BY_RESOURCE = {
    SharedResourceKind.DATA_STORE: DependencyKind.DATA,
    SharedResourceKind.IDENTITY_PROVIDER: DependencyKind.AUTH,
}


async def _target(session: AsyncSession, ref: Ref) -> tuple[uuid.UUID, bool, DependencyKind]:
    """(id, whether it is a service, the dependency's kind) of the referenced record."""
    if ref.target is Target.SERVICE:
        service: Service | None = await service_actions.find_service(session, slug=ref.name)
        if service is not None:
            return service.id, True, DependencyKind.RUNTIME
    else:
        resource = await repository.resource_by_name(session, ref.name)
        if resource is not None:
            kind = _KIND_BY_RESOURCE.get(resource.kind, DependencyKind.RUNTIME)
            return resource.id, False, kind
    what = "service" if ref.target is Target.SERVICE else "shared resource"
    raise NotFound(
        f"dependency {ref.text} not found: no {what} {ref.name!r} in the catalog or in this import"
    )


async def apply_dependencies(session: AsyncSession, principal: Principal, entry: Entry) -> bool:
    """Add the dependencies the service does not have yet; whether any was added."""
    service = await service_actions.find_service(session, slug=entry.name)
    if service is None:
        raise NotFound(f"service {entry.name!r} not found")
    existing = await repository.dependency_target_ids(session, service.id)
    added = False
    for ref in entry.depends_on:
        target_id, is_service, kind = await _target(session, ref)
        if target_id in existing:
            continue
        await graph_actions.create_dependency(
            session,
            principal=principal,
            source_service_id=service.id,
            kind=kind,
            target_service_id=target_id if is_service else None,
            target_resource_id=None if is_service else target_id,
        )
        existing.add(target_id)
        added = True
    return added
