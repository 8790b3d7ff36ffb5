"""Inputs of freeze-window queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.work.freezes.enums  # noqa: F401  (registers the enums first)
from work.releases.models import FreezeScope


@strawberry.input(
    description="Windows overlapping [from, to) (at most two years apart) that apply to any of"
    " the services or teams given: org-wide windows, the services' own and their owner teams',"
    " the teams' own and their services'."
)
class FreezeWindowFilter:
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None
    service_ids: list[strawberry.ID] | None = None
    team_ids: list[strawberry.ID] | None = None
    scopes: list[FreezeScope] | None = None


@strawberry.input(
    description="ORGANISATION (ADMIN), SERVICE with serviceId (its owner team or product owner)"
    " or TEAM with teamId (its members); at most two years long."
)
class CreateFreezeWindowInput:
    scope: FreezeScope
    starts_at: datetime
    ends_at: datetime = strawberry.field(description="Exclusive; after startsAt.")
    reason: str
    service_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None


@strawberry.input(description="Only the fields given change; the scope never does.")
class UpdateFreezeWindowInput:
    id: strawberry.ID
    version: int
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    reason: str | None = None
