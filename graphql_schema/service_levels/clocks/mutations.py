"""Mutations of SLA clocks: a service's clock policy."""

from __future__ import annotations

import strawberry

from catalog.services.models import Service as ServiceModel
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation_runner import Arguments, CustomPayload, mutation
from graphql_schema.node import decode_id
from graphql_schema.service_levels.clocks.inputs import UpdateClockPolicyInput
from graphql_schema.service_levels.clocks.payloads import ClockPolicyPayload
from graphql_schema.service_levels.clocks.types import ClockPolicy
from identity.principal import Role
from service_levels import actions
from service_levels.models import ClockPolicy as ClockPolicyModel
from service_levels.policy_defaults import ClockSubject


async def _policy_payload(
    info: Info,
    input: UpdateClockPolicyInput,
    result: tuple[ServiceModel, ClockPolicyModel] | None,
    errors: list[UserError],
) -> ClockPolicyPayload:
    if result is None:
        return ClockPolicyPayload(clock_policy=None, user_errors=errors)
    return ClockPolicyPayload(clock_policy=ClockPolicy.from_models(*result), user_errors=[])


@strawberry.type
class ClockPolicyMutation:
    @mutation(
        "Set a service's clock targets (its owner team or an ADMIN); the history"
        " of the policy is kept.",
        permission=Role.TEAM_MEMBER,
        action=actions.update_clock_policy,
        payload=CustomPayload(ClockPolicyPayload, _policy_payload),
        audited=lambda service_and_policy: service_and_policy[1],
    )
    def update_clock_policy(self, input: UpdateClockPolicyInput) -> Arguments:
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "version": input.version,
            "changes": [
                actions.TargetChange(
                    subject=ClockSubject(target.subject),
                    response_seconds=target.response_seconds,
                    resolution_seconds=target.resolution_seconds,
                )
                for target in input.targets
            ],
        }
