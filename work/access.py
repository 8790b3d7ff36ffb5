"""Who may touch requests and incidents at all; the rules per record live in their actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from core.errors import AccessDenied
from identity.principal import Principal, Role


def require_desk_user(principal: Principal, *, action: str) -> None:
    """Contributors (who file requests) and support agents (people or machines, who work them)."""
    if principal.has_role(Role.CONTRIBUTOR) or principal.has_role(Role.SUPPORT_AGENT):
        return
    raise AccessDenied(f"{action} needs the {Role.CONTRIBUTOR} or {Role.SUPPORT_AGENT} role")


def desk_user(action: str) -> Callable[[Principal], None]:
    """`require_desk_user` for `action`, as a check to make before reading any input: a
    caller who may not touch the desk at all is refused before being told an id is bad."""
    return partial(require_desk_user, action=action)
