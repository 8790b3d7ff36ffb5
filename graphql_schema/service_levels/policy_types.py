"""Clock policies as GraphQL sees them: every subject's targets, own or the tier's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service as ServiceModel
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.loaders import loader
from service_levels import actions
from service_levels.models import ClockPolicy as ClockPolicyModel
from service_levels.policy_defaults import ClockSubject

strawberry.enum(ClockSubject, description="A request priority (P1..P4) or incident severity.")

# A service that never had a policy of its own: version 0 and no history.
_NO_POLICY_ID = uuid.UUID(int=0)


@strawberry.type(description="Response and resolution targets for one priority or severity.")
class ClockTarget:
    subject: ClockSubject
    response_seconds: int = strawberry.field(
        description="Business seconds to respond (requests: TRIAGED; incidents: ACKNOWLEDGED)."
    )
    resolution_seconds: int = strawberry.field(
        description="Business seconds to resolve (requests: FULFILLED; incidents: MITIGATED)."
    )
    is_default: bool = strawberry.field(description="True when it is the tier's default.")


@strawberry.type(description="A service's SLA clock targets, defaulting by tier.")
class ClockPolicy(Versioned):
    version: int
    updated_at: datetime | None
    targets: list[ClockTarget]
    model: strawberry.Private[ClockPolicyModel]

    @classmethod
    def from_models(cls, service: ServiceModel, policy: ClockPolicyModel | None) -> ClockPolicy:
        overrides = policy.targets if policy is not None else {}
        return cls(
            version=policy.version if policy is not None else 0,
            updated_at=policy.updated_at if policy is not None else None,
            targets=[
                ClockTarget(
                    subject=target.subject,
                    response_seconds=target.targets.response,
                    resolution_seconds=target.targets.resolution,
                    is_default=target.is_default,
                )
                for target in actions.effective_targets(service.tier, overrides)
            ],
            model=policy or ClockPolicyModel(id=_NO_POLICY_ID, service_id=service.id),
        )


async def _policies(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockPolicyModel]:
    return await actions.policies_for(session, service_ids)


async def clock_policy_of(info: Info, service: ServiceModel) -> ClockPolicy:
    """One statement for every service of the response (a per-request loader)."""
    policy = await loader(info.context, "ClockPolicyByServiceId", _policies).load(service.id)
    return ClockPolicy.from_models(service, policy)
