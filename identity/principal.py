"""Who is calling, and what their roles let them do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "VIEWER"
    CONTRIBUTOR = "CONTRIBUTOR"
    TEAM_MEMBER = "TEAM_MEMBER"
    PRODUCT_OWNER = "PRODUCT_OWNER"
    DESIGN_AUTHORITY = "DESIGN_AUTHORITY"
    SUPPORT_AGENT = "SUPPORT_AGENT"
    AUDITOR = "AUDITOR"
    ADMIN = "ADMIN"


_LADDER = [Role.VIEWER, Role.CONTRIBUTOR, Role.TEAM_MEMBER, Role.PRODUCT_OWNER]
_SIDE_ROLES = {Role.DESIGN_AUTHORITY, Role.SUPPORT_AGENT, Role.AUDITOR}


def effective_roles(granted: frozenset[Role]) -> frozenset[Role]:
    """Expand granted roles by the hierarchy: the ladder, side roles imply VIEWER, ADMIN all."""
    if Role.ADMIN in granted:
        return frozenset(Role)
    roles = set(granted)
    for index, role in enumerate(_LADDER):
        if role in granted:
            roles.update(_LADDER[: index + 1])
    if granted & _SIDE_ROLES:
        roles.add(Role.VIEWER)
    return frozenset(roles)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person, a machine client, or the development identity."""

    subject: str
    issuer: str
    granted_roles: frozenset[Role]
    person_id: uuid.UUID | None = None
    team_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    is_machine: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        return effective_roles(self.granted_roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def actor(self) -> str:
        """How history and the audit log name this caller."""
        if self.person_id is not None:
            return f"person:{self.person_id}"
        kind = "client" if self.is_machine else "subject"
        return f"{kind}:{self.subject}@{self.issuer}"

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.granted_roles


DEV_ISSUER = "urn:service-catalog:dev"


def development_principal(roles: frozenset[Role]) -> Principal:
    return Principal(subject="developer", issuer=DEV_ISSUER, granted_roles=roles)
