"""Who may touch requests and incidents at all; the rules per record live in their actions."""

from __future__ import annotations

from core.errors import AccessDenied
from identity.principal import Principal, Role

# Contributors (who file requests) and support agents (people or machines, who work them).
DESK_ROLES = (Role.CONTRIBUTOR, Role.SUPPORT_AGENT)


def require_desk_user(principal: Principal, *, action: str) -> None:
    """Refuse a caller who holds none of the DESK_ROLES."""
    if any(principal.has_role(role) for role in DESK_ROLES):
        return
    raise AccessDenied(f"{action} needs the {' or '.join(DESK_ROLES)} role")
