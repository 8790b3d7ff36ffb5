"""Who may change the organisation."""

from __future__ import annotations

import uuid

from core.errors import AccessDenied
from identity.principal import Principal, Role


def require_role(principal: Principal, role: Role, *, action: str) -> None:
    if not principal.has_role(role):
        raise AccessDenied(f"{action} needs the {role} role")


def require_admin(principal: Principal, *, action: str) -> None:
    require_role(principal, Role.ADMIN, action=action)


def require_team_member(principal: Principal, team_id: uuid.UUID, *, action: str) -> None:
    """ADMIN, or a TEAM_MEMBER who belongs to the team."""
    if principal.is_admin:
        return
    if principal.has_role(Role.TEAM_MEMBER) and team_id in principal.team_ids:
        return
    raise AccessDenied(f"{action} is reserved to the owner team")
