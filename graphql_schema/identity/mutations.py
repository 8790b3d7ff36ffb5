"""Mutations of the organisation: business units, teams, memberships."""

from __future__ import annotations

import strawberry

from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.identity.inputs import (
    CreateBusinessUnitInput,
    CreateMembershipInput,
    CreateTeamInput,
    UpdateBusinessUnitInput,
    UpdateMembershipInput,
    UpdateTeamInput,
)
from graphql_schema.identity.payloads import BusinessUnitPayload, MembershipPayload, TeamPayload
from graphql_schema.identity.types import BusinessUnit, Membership, Team
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity import actions
from identity.principal import Role

BUSINESS_UNIT = ObjectPayload(BusinessUnitPayload, "business_unit", BusinessUnit)
TEAM = ObjectPayload(TeamPayload, "team", Team)
MEMBERSHIP = ObjectPayload(MembershipPayload, "membership", Membership)


@strawberry.type
class IdentityMutation:
    @mutation(
        "Create a business unit (ADMIN).",
        permission=Role.ADMIN,
        action=actions.create_business_unit,
        payload=BUSINESS_UNIT,
    )
    def create_business_unit(self, input: CreateBusinessUnitInput) -> Arguments:
        return {"name": input.name}

    @mutation(
        "Rename a business unit (ADMIN).",
        permission=Role.ADMIN,
        action=actions.update_business_unit,
        payload=BUSINESS_UNIT,
    )
    def update_business_unit(self, input: UpdateBusinessUnitInput) -> Arguments:
        fields = provided(input)
        refuse_nulls(fields, "name")
        return {
            "business_unit_id": decode_id(input.id, "BusinessUnit", field="id"),
            "version": input.version,
            "name": fields.get("name"),
        }

    @mutation(
        "Create a team in a business unit (ADMIN).",
        permission=Role.ADMIN,
        action=actions.create_team,
        payload=TEAM,
    )
    def create_team(self, input: CreateTeamInput) -> Arguments:
        return {
            "name": input.name,
            "slug": input.slug,
            "kind": input.kind,
            "business_unit_id": decode_id(
                input.business_unit_id, "BusinessUnit", field="businessUnitId"
            ),
            "contact_email": input.contact_email,
            "chat_channel": input.chat_channel,
        }

    @mutation(
        "Change a team (its members or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.update_team,
        payload=TEAM,
    )
    def update_team(self, input: UpdateTeamInput) -> Arguments:
        changes = provided(input)
        refuse_nulls(changes, "name", "slug", "kind", "business_unit_id")
        if "business_unit_id" in changes:
            changes["business_unit_id"] = decode_id(
                changes["business_unit_id"], "BusinessUnit", field="businessUnitId"
            )
        return {
            "team_id": decode_id(input.id, "Team", field="id"),
            "version": input.version,
            "changes": changes,
        }

    @mutation(
        "Put a person in a team with a role.",
        permission=Role.TEAM_MEMBER,
        action=actions.create_membership,
        payload=MEMBERSHIP,
    )
    def create_membership(self, input: CreateMembershipInput) -> Arguments:
        return {
            "person_id": decode_id(input.person_id, "Person", field="personId"),
            "team_id": decode_id(input.team_id, "Team", field="teamId"),
            "role": input.role,
        }

    @mutation(
        "Change a member's role in a team.",
        permission=Role.TEAM_MEMBER,
        action=actions.update_membership,
        payload=MEMBERSHIP,
    )
    def update_membership(self, input: UpdateMembershipInput) -> Arguments:
        return {
            "membership_id": decode_id(input.id, "Membership", field="id"),
            "version": input.version,
            "role": input.role,
        }


@strawberry.type
class IdentityLifecycleMutation:
    @mutation(
        "Archive a business unit (ADMIN).",
        permission=Role.ADMIN,
        action=actions.archive_business_unit,
        payload=BUSINESS_UNIT,
    )
    def archive_business_unit(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "BusinessUnit", "business_unit_id")

    @mutation(
        "Delete a business unit without teams (ADMIN).",
        permission=Role.ADMIN,
        action=actions.delete_business_unit,
        payload=DELETED,
    )
    def delete_business_unit(self, input: DeleteInput) -> Arguments:
        return by_id(input, "BusinessUnit", "business_unit_id")

    @mutation(
        "Archive a team (ADMIN).", permission=Role.ADMIN, action=actions.archive_team, payload=TEAM
    )
    def archive_team(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "Team", "team_id")

    @mutation(
        "Delete a team that owns nothing and has no members.",
        permission=Role.ADMIN,
        action=actions.delete_team,
        payload=DELETED,
    )
    def delete_team(self, input: DeleteInput) -> Arguments:
        return by_id(input, "Team", "team_id")

    @mutation(
        "Take a person out of a team role.",
        permission=Role.TEAM_MEMBER,
        action=actions.delete_membership,
        payload=DELETED,
    )
    def delete_membership(self, input: DeleteInput) -> Arguments:
        return by_id(input, "Membership", "membership_id")
