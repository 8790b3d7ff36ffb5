"""Who may change catalog records: the owner team, or an ADMIN."""

from __future__ import annotations

import uuid

from identity.permissions import require_admin, require_team_member
from identity.principal import Principal


def require_service_editor(principal: Principal, owner_team_id: uuid.UUID) -> None:
    require_team_member(principal, owner_team_id, action="changing a service")


def require_org_editor(principal: Principal) -> None:
    require_admin(principal, action="changing a Salesforce org")


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
