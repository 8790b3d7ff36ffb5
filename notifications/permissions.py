"""Who may see and change notification channels and their deliveries.

A person owns channels for themself; a team's channels are changed by its members (the
TEAM_MEMBER role and a membership) and read by anyone who belongs to it. ADMIN changes and
sees all; AUDITOR sees all.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, select, true

from core.errors import AccessDenied
from identity.permissions import require_team_member
from identity.principal import Principal, Role
from notifications.models import Delivery, NotificationChannel


def sees_everything(principal: Principal) -> bool:
    return principal.has_role(Role.AUDITOR)  # ADMIN implies every role


def require_channel_owner(
    principal: Principal, *, owner_team_id: uuid.UUID | None, owner_person_id: uuid.UUID | None
) -> None:
    """A person's channels are theirs (or an ADMIN's) to change; a team's, its members'."""
    if owner_team_id is not None:
        require_team_member(principal, owner_team_id, action="changing a team's channel")
        return
    if principal.is_admin or (
        principal.person_id is not None and principal.person_id == owner_person_id
    ):
        return
    raise AccessDenied("a person's notification channels are changed only by that person")


def visible_channels(principal: Principal) -> ColumnElement[bool]:
    """The channels `principal` may read, as a condition on `notification_channel`."""
    if sees_everything(principal):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if principal.person_id is not None:
        conditions.append(NotificationChannel.owner_person_id == principal.person_id)
    if principal.team_ids:
        conditions.append(NotificationChannel.owner_team_id.in_(principal.team_ids))
    return or_(*conditions) if conditions else false()


def visible_deliveries(principal: Principal) -> ColumnElement[bool]:
    """The deliveries `principal` may read: those of channels they see, and their own emails."""
    if sees_everything(principal):
        return true()
    channels = select(NotificationChannel.id).where(visible_channels(principal))
    conditions: list[ColumnElement[bool]] = [Delivery.channel_id.in_(channels)]
    if principal.person_id is not None:
        conditions.append(Delivery.recipient_person_id == principal.person_id)
    return or_(*conditions)
