"""SLA clocks as GraphQL sees them: a record's clock, a service's clock summary, and its clock
policy (every subject's targets, own or the tier's)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

import graphql_schema.service_levels.clocks.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from graphql_schema.history import Versioned
from service_levels import actions
from service_levels.clock import ClockState, Phase
from service_levels.models import ClockPolicy as ClockPolicyModel
from service_levels.policy_defaults import ClockSubject


@strawberry.type(description="An SLA clock in the service's business hours; durations in seconds.")
class SlaClock:
    phase: Phase
    started_at: datetime
    stopped_at: datetime | None
    elapsed_seconds: int = strawberry.field(description="Business seconds counted so far.")
    target_seconds: int
    remaining_seconds: int = strawberry.field(description="Target less elapsed, never below 0.")
    percent: float = strawberry.field(description="Elapsed as a percentage of the target.")
    warning: bool = strawberry.field(
        description="Past CATALOG_SLA_WARNING_PERCENT of the target (stays true once breached)."
    )
    breached: bool = strawberry.field(description="Elapsed is over the target.")
    met: bool = strawberry.field(description="Stopped within its target.")
    warning_at: datetime | None = strawberry.field(
        description="When it passed, or (running) will pass, the warning threshold."
    )
    breach_at: datetime | None = strawberry.field(
        description="When it went, or (running) will go, over its target; null while paused."
    )

    @classmethod
    def from_state(cls, state: ClockState) -> SlaClock:
        return cls(
            phase=state.phase,
            started_at=state.started_at,
            stopped_at=state.stopped_at,
            elapsed_seconds=int(state.elapsed.total_seconds()),
            target_seconds=int(state.target.total_seconds()),
            remaining_seconds=int(state.remaining.total_seconds()),
            percent=round(state.percent, 2),
            warning=state.warning,
            breached=state.breached,
            met=state.met,
            warning_at=state.warning_at,
            breach_at=state.breach_at,
        )


@strawberry.type(
    description="The service's requests and incidents by their running SLA clocks (the"
    " catalog's own, next to salesforceCaseSummary's vendor milestones)."
)
class SlaClockSummary:
    running: int = strawberry.field(description="Records with an SLA clock running.")
    breached: int = strawberry.field(description="Of those, already over their target.")
    breaching_soon: int = strawberry.field(description="Of those, going over within the hours.")


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
