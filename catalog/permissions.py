"""Who may change catalog records: the owner team, or an ADMIN."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from core.errors import AccessDenied
from identity.permissions import require_admin, require_team_member
from identity.principal import Principal, Role


def require_service_editor(principal: Principal, owner_team_id: uuid.UUID) -> None:
    require_team_member(principal, owner_team_id, action="changing a service")


def require_org_editor(principal: Principal) -> None:
    require_admin(principal, action="changing a Salesforce org")


def require_org_user_admin(principal: Principal, owner_team_ids: Collection[uuid.UUID]) -> None:
    """Freezing an org's users: ADMIN, or a TEAM_MEMBER of a team owning a service on the org."""
    if principal.is_admin:
        return
    if principal.has_role(Role.TEAM_MEMBER) and set(principal.team_ids) & set(owner_team_ids):
        return
    raise AccessDenied("freezing a Salesforce user is reserved to the org's owner teams")


def require_resource_editor(principal: Principal, owner_team_id: uuid.UUID) -> None:
    require_team_member(principal, owner_team_id, action="changing a shared resource")


def require_dependency_editor(principal: Principal, source_owner_team_id: uuid.UUID) -> None:
    """A service's dependencies are the business of its owner team (or an ADMIN)."""
    require_team_member(
        principal, source_owner_team_id, action="changing the dependencies of a service"
    )


def require_ai_model_editor(
    principal: Principal, *, owner_team_id: uuid.UUID, owner_person_id: uuid.UUID | None
) -> None:
    """An AI model is changed by its owner person, the service's owner team, or an ADMIN."""
    if owner_person_id is not None and principal.person_id == owner_person_id:
        return
    require_team_member(principal, owner_team_id, action="changing an AI model")


def require_backup_recorder(principal: Principal, owner_team_ids: set[uuid.UUID]) -> None:
    """An org's backups and restore drills are recorded by an ADMIN, or by a member of the
    owner team of a service running on it (orgs have no owner team of their own)."""
    if principal.is_admin:
        return
    if principal.has_role(Role.TEAM_MEMBER) and owner_team_ids & principal.team_ids:
        return
    raise AccessDenied(
        "recording backups is reserved to the owner teams of the org's services and ADMINs"
    )
