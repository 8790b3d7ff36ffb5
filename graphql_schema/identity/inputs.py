"""Inputs of the organisation's mutations, and the audit log's filter."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.identity.enums  # noqa: F401  (registers the enums first)
from identity import audit, models


@strawberry.input
class CreateBusinessUnitInput:
    name: str


@strawberry.input
class UpdateBusinessUnitInput:
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET


@strawberry.input
class CreateTeamInput:
    name: str
    slug: str
    kind: models.TeamKind
    business_unit_id: strawberry.ID
    contact_email: str | None = None
    chat_channel: str | None = None


@strawberry.input
class UpdateTeamInput:
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    kind: models.TeamKind | None = strawberry.UNSET
    business_unit_id: strawberry.ID | None = strawberry.UNSET
    contact_email: str | None = strawberry.UNSET
    chat_channel: str | None = strawberry.UNSET


@strawberry.input
class CreateMembershipInput:
    person_id: strawberry.ID
    team_id: strawberry.ID
    role: models.MembershipRole


@strawberry.input
class UpdateMembershipInput:
    id: strawberry.ID
    version: int
    role: models.MembershipRole


@strawberry.input
class AuditEventFilter:
    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: audit.AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None
