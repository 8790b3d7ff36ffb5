"""Mutations of SLA clocks: a service's clock policy."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.mutation_runner import run_mutation
from graphql_schema.node import decode_id
from graphql_schema.service_levels.clocks.inputs import UpdateClockPolicyInput
from graphql_schema.service_levels.clocks.payloads import ClockPolicyPayload
from graphql_schema.service_levels.clocks.types import ClockPolicy
from identity.principal import Principal, Role
from service_levels import actions
from service_levels.policy_defaults import ClockSubject


@strawberry.type
class ClockPolicyMutation:
    @strawberry.mutation(
        description="Set a service's clock targets (its owner team or an ADMIN); the history"
        " of the policy is kept.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def update_clock_policy(
        self, info: Info, input: UpdateClockPolicyInput
    ) -> ClockPolicyPayload:
        services: list[Any] = []

        async def action(session: AsyncSession, principal: Principal) -> Any:
            service, policy = await actions.update_clock_policy(
                session,
                principal=principal,
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                version=input.version,
                changes=[
                    actions.TargetChange(
                        subject=ClockSubject(target.subject),
                        response_seconds=target.response_seconds,
                        resolution_seconds=target.resolution_seconds,
                    )
                    for target in input.targets
                ],
            )
            services.append(service)
            return policy

        policy, errors = await run_mutation(info, action)
        if policy is None:
            return ClockPolicyPayload(clock_policy=None, user_errors=errors)
        return ClockPolicyPayload(
            clock_policy=ClockPolicy.from_models(services[0], policy), user_errors=[]
        )
