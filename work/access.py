"""Who may touch requests and incidents at all; the rules per record live in their actions."""

from __future__ import annotations

from core.errors import AccessDenied
from identity.principal import Principal, Role


def require_desk_user(principal: Principal, *, action: str) -> None:
    """Contributors (who file requests) and support agents (people or machines, who work them)."""
    if principal.has_role(Role.CONTRIBUTOR) or principal.has_role(Role.SUPPORT_AGENT):
        return
    raise AccessDenied(f"{action} needs the {Role.CONTRIBUTOR} or {Role.SUPPORT_AGENT} role")
