"""Payloads of the organisation's mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.identity.types import BusinessUnit, Membership, Team


@strawberry.type
class BusinessUnitPayload:
    business_unit: BusinessUnit | None
    user_errors: list[UserError]


@strawberry.type
class TeamPayload:
    team: Team | None
    user_errors: list[UserError]


@strawberry.type
class MembershipPayload:
    membership: Membership | None
    user_errors: list[UserError]
