"""Mutations of the organisation: business units, teams, memberships."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.archive_delete import archive_by_id, delete_by_id
from graphql_schema.context import Info
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
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.payloads import DeletePayload
from identity import actions, models
from identity.principal import Principal, Role


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Create a business unit (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def create_business_unit(
        self, info: Info, input: CreateBusinessUnitInput
    ) -> BusinessUnitPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.BusinessUnit:
            return await actions.create_business_unit(session, principal=principal, name=input.name)

        unit, errors = await run_mutation(info, action)
        return BusinessUnitPayload(
            business_unit=await payload_object(
                info,
                unit,
                field="businessUnit",
                type_name="BusinessUnit",
                convert=BusinessUnit.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Rename a business unit (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def update_business_unit(
        self, info: Info, input: UpdateBusinessUnitInput
    ) -> BusinessUnitPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.BusinessUnit:
            fields = provided(input)
            refuse_nulls(fields, "name")
            return await actions.update_business_unit(
                session,
                principal=principal,
                business_unit_id=decode_id(input.id, "BusinessUnit", field="id"),
                version=input.version,
                name=fields.get("name"),
            )

        unit, errors = await run_mutation(info, action)
        return BusinessUnitPayload(
            business_unit=await payload_object(
                info,
                unit,
                field="businessUnit",
                type_name="BusinessUnit",
                convert=BusinessUnit.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Create a team in a business unit (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def create_team(self, info: Info, input: CreateTeamInput) -> TeamPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Team:
            return await actions.create_team(
                session,
                principal=principal,
                name=input.name,
                slug=input.slug,
                kind=input.kind,
                business_unit_id=decode_id(
                    input.business_unit_id, "BusinessUnit", field="businessUnitId"
                ),
                contact_email=input.contact_email,
                chat_channel=input.chat_channel,
            )

        team, errors = await run_mutation(info, action)
        return TeamPayload(
            team=await payload_object(
                info, team, field="team", type_name="Team", convert=Team.from_model
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a team (its members or ADMIN).", metadata=requires(Role.TEAM_MEMBER)
    )
    async def update_team(self, info: Info, input: UpdateTeamInput) -> TeamPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Team:
            changes = provided(input)
            refuse_nulls(changes, "name", "slug", "kind", "business_unit_id")
            if "business_unit_id" in changes:
                changes["business_unit_id"] = decode_id(
                    changes["business_unit_id"], "BusinessUnit", field="businessUnitId"
                )
            return await actions.update_team(
                session,
                principal=principal,
                team_id=decode_id(input.id, "Team", field="id"),
                version=input.version,
                changes=changes,
            )

        team, errors = await run_mutation(info, action)
        return TeamPayload(
            team=await payload_object(
                info, team, field="team", type_name="Team", convert=Team.from_model
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Put a person in a team with a role.", metadata=requires(Role.TEAM_MEMBER)
    )
    async def create_membership(
        self, info: Info, input: CreateMembershipInput
    ) -> MembershipPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Membership:
            return await actions.create_membership(
                session,
                principal=principal,
                person_id=decode_id(input.person_id, "Person", field="personId"),
                team_id=decode_id(input.team_id, "Team", field="teamId"),
                role=input.role,
            )

        membership, errors = await run_mutation(info, action)
        return MembershipPayload(
            membership=await payload_object(
                info,
                membership,
                field="membership",
                type_name="Membership",
                convert=Membership.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a member's role in a team.", metadata=requires(Role.TEAM_MEMBER)
    )
    async def update_membership(
        self, info: Info, input: UpdateMembershipInput
    ) -> MembershipPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Membership:
            return await actions.update_membership(
                session,
                principal=principal,
                membership_id=decode_id(input.id, "Membership", field="id"),
                version=input.version,
                role=input.role,
            )

        membership, errors = await run_mutation(info, action)
        return MembershipPayload(
            membership=await payload_object(
                info,
                membership,
                field="membership",
                type_name="Membership",
                convert=Membership.from_model,
            ),
            user_errors=errors,
        )


@strawberry.type
class IdentityLifecycleMutation:
    @strawberry.mutation(
        description="Archive a business unit (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def archive_business_unit(self, info: Info, input: ArchiveInput) -> BusinessUnitPayload:
        unit, errors = await archive_by_id(
            info,
            input,
            type_name="BusinessUnit",
            archive=actions.archive_business_unit,
            id_field="business_unit_id",
        )
        return BusinessUnitPayload(
            business_unit=await payload_object(
                info,
                unit,
                field="businessUnit",
                type_name="BusinessUnit",
                convert=BusinessUnit.from_model,
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Delete a business unit without teams (ADMIN).", metadata=requires(Role.ADMIN)
    )
    async def delete_business_unit(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="BusinessUnit",
            delete=actions.delete_business_unit,
            id_field="business_unit_id",
        )

    @strawberry.mutation(description="Archive a team (ADMIN).", metadata=requires(Role.ADMIN))
    async def archive_team(self, info: Info, input: ArchiveInput) -> TeamPayload:
        team, errors = await archive_by_id(
            info, input, type_name="Team", archive=actions.archive_team, id_field="team_id"
        )
        return TeamPayload(
            team=await payload_object(
                info, team, field="team", type_name="Team", convert=Team.from_model
            ),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Delete a team that owns nothing and has no members.",
        metadata=requires(Role.ADMIN),
    )
    async def delete_team(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info, input, type_name="Team", delete=actions.delete_team, id_field="team_id"
        )

    @strawberry.mutation(
        description="Take a person out of a team role.", metadata=requires(Role.TEAM_MEMBER)
    )
    async def delete_membership(self, info: Info, input: DeleteInput) -> DeletePayload:
        return await delete_by_id(
            info,
            input,
            type_name="Membership",
            delete=actions.delete_membership,
            id_field="membership_id",
        )
