"""Business rules of shared resources and dependencies."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import repository
from catalog.graph.models import (
    Dependency,
    DependencyCriticality,
    DependencyKind,
    SharedResource,
    SharedResourceKind,
)
from catalog.permissions import require_dependency_editor, require_resource_editor
from catalog.services.models import Service
from core.errors import Duplicate, Invalid, NotFound
from core.records import apply_changes, archive_record, check_version, delete_record, require_found
from core.repository import get_by_id
from core.validation import optional_text, text_field
from identity.models import Team
from identity.principal import Principal


def _resource_fields(fields: dict[str, Any]) -> dict[str, Any]:
    checked = dict(fields)
    if "name" in fields:
        checked["name"] = text_field(fields["name"], field="name", max_length=200)
    if "kind" in fields:
        checked["kind"] = SharedResourceKind(fields["kind"])
    if "description" in fields:
        checked["description"] = text_field(
            fields["description"] or "", field="description", max_length=10_000, required=False
        )
    return checked


async def _check_resource(
    session: AsyncSession, resource: SharedResource | None, fields: dict[str, Any]
) -> None:
    team_id = fields.get("owner_team_id")
    if team_id is not None and await get_by_id(session, Team, team_id) is None:
        raise NotFound("owner team not found", field=["ownerTeamId"])
    name = fields.get("name")
    renamed = name is not None and (resource is None or resource.name != name)
    if renamed and name and await repository.get_resource_by_name(session, name) is not None:
        raise Duplicate(f"a shared resource named {name!r} already exists", field=["name"])


async def create_shared_resource(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any]
) -> SharedResource:
    """Register a shared resource owned by a team (its members, or ADMIN)."""
    checked = _resource_fields(fields)
    require_resource_editor(principal, checked["owner_team_id"])
    await _check_resource(session, None, checked)
    resource = SharedResource(**checked)
    session.add(resource)
    await session.flush()
    return resource


async def _editable_resource(
    session: AsyncSession, principal: Principal, resource_id: uuid.UUID
) -> SharedResource:
    resource = require_found(
        await get_by_id(session, SharedResource, resource_id), what="shared resource"
    )
    require_resource_editor(principal, resource.owner_team_id)
    return resource


async def update_shared_resource(
    session: AsyncSession,
    *,
    principal: Principal,
    resource_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> SharedResource:
    """Change a shared resource; only its owner team (or an ADMIN) may, before and after a move."""
    resource = await _editable_resource(session, principal, resource_id)
    check_version(resource, version)
    checked = _resource_fields(changes)
    if checked.get("owner_team_id", resource.owner_team_id) != resource.owner_team_id:
        require_resource_editor(principal, checked["owner_team_id"])
    await _check_resource(session, resource, checked)
    apply_changes(resource, checked)
    await session.flush()
    return resource


async def archive_shared_resource(
    session: AsyncSession, *, principal: Principal, resource_id: uuid.UUID, version: int
) -> SharedResource:
    """Hide a shared resource from lists; its dependents keep pointing at it."""
    resource = await _editable_resource(session, principal, resource_id)
    await archive_record(session, resource, version)
    return resource


async def delete_shared_resource(
    session: AsyncSession, *, principal: Principal, resource_id: uuid.UUID, version: int
) -> None:
    """Delete a shared resource no service depends on (HAS_DEPENDENTS otherwise)."""
    resource = await _editable_resource(session, principal, resource_id)
    await delete_record(session, resource, version, what="shared resource")


async def _target(
    session: AsyncSession,
    source: Service,
    target_service_id: uuid.UUID | None,
    target_resource_id: uuid.UUID | None,
) -> Service | SharedResource:
    target: Service | SharedResource | None
    if target_service_id is not None:
        if target_service_id == source.id:
            raise Invalid("a service cannot depend on itself", field=["targetId"])
        target = await get_by_id(session, Service, target_service_id)
    else:
        assert target_resource_id is not None
        target = await get_by_id(session, SharedResource, target_resource_id)
    if target is None:
        raise NotFound("target not found", field=["targetId"])
    if target.archived_at is not None:
        raise Invalid("the target is archived; nothing new may depend on it", field=["targetId"])
    return target


async def create_dependency(
    session: AsyncSession,
    *,
    principal: Principal,
    source_service_id: uuid.UUID,
    kind: DependencyKind,
    target_service_id: uuid.UUID | None = None,
    target_resource_id: uuid.UUID | None = None,
    description: str | None = None,
    criticality: DependencyCriticality = DependencyCriticality.MEDIUM,
) -> Dependency:
    """Record that a service depends on one other service or one shared resource."""
    if (target_service_id is None) == (target_resource_id is None):
        raise Invalid(
            "a dependency has exactly one target: a service or a shared resource",
            field=["targetId"],
        )
    source = require_found(
        await get_by_id(session, Service, source_service_id), what="service", field="sourceId"
    )
    require_dependency_editor(principal, source.owner_team_id)
    await _target(session, source, target_service_id, target_resource_id)
    kind = DependencyKind(kind)
    existing = await repository.find_dependency(
        session,
        source_service_id=source.id,
        target_service_id=target_service_id,
        target_resource_id=target_resource_id,
        kind=kind,
    )
    if existing is not None:
        raise Duplicate(f"this {kind} dependency is already recorded", field=["targetId"])
    dependency = Dependency(
        source_service_id=source.id,
        target_service_id=target_service_id,
        target_resource_id=target_resource_id,
        kind=kind,
        criticality=DependencyCriticality(criticality),
        description=optional_text(description, field="description", max_length=2_000),
    )
    session.add(dependency)
    await session.flush()
    return dependency


async def update_dependency(
    session: AsyncSession,
    *,
    principal: Principal,
    dependency_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> Dependency:
    """Change a dependency's kind, criticality or description (the source's owner team, or
    an ADMIN); its ends do not move (delete it and record another)."""
    dependency = require_found(
        await get_by_id(session, Dependency, dependency_id), what="dependency"
    )
    source = require_found(
        await get_by_id(session, Service, dependency.source_service_id), what="service"
    )
    require_dependency_editor(principal, source.owner_team_id)
    check_version(dependency, version)
    checked: dict[str, Any] = {}
    if "kind" in changes:
        checked["kind"] = DependencyKind(changes["kind"])
    if "criticality" in changes:
        checked["criticality"] = DependencyCriticality(changes["criticality"])
    if "description" in changes:
        checked["description"] = optional_text(
            changes["description"], field="description", max_length=2_000
        )
    kind = checked.get("kind", dependency.kind)
    if kind != dependency.kind:
        existing = await repository.find_dependency(
            session,
            source_service_id=dependency.source_service_id,
            target_service_id=dependency.target_service_id,
            target_resource_id=dependency.target_resource_id,
            kind=kind,
        )
        if existing is not None:
            raise Duplicate(f"this {kind} dependency is already recorded", field=["kind"])
    apply_changes(dependency, checked)
    await session.flush()
    return dependency


async def delete_dependency(
    session: AsyncSession, *, principal: Principal, dependency_id: uuid.UUID, version: int
) -> None:
    """Remove a dependency (the source service's owner team, or an ADMIN); its history stays."""
    dependency = require_found(
        await get_by_id(session, Dependency, dependency_id), what="dependency"
    )
    source = require_found(
        await get_by_id(session, Service, dependency.source_service_id), what="service"
    )
    require_dependency_editor(principal, source.owner_team_id)
    await delete_record(session, dependency, version, what="dependency")
