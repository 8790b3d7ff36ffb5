"""Business rules of service levels: clock policies (who edits them, what they hold)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.permissions import require_service_editor
from catalog.services import actions as services
from catalog.services.models import Service, Tier
from core.errors import Conflict, DomainError, DomainErrors, Invalid, NotFound
from core.records import check_version
from identity.principal import Principal
from service_levels import repository
from service_levels.clock_stamps import restamp_service
from service_levels.models import ClockPolicy
from service_levels.policy_defaults import (
    ClockSubject,
    EffectiveTarget,
    default_targets,
    target_for,
)

# A target longer than a year of business time is a typo, not a promise.
MAX_TARGET_SECONDS = 366 * 24 * 3600


def effective_targets(tier: Tier, overrides: Mapping[str, Any]) -> list[EffectiveTarget]:
    """Every subject's targets for a service: its own where it has them, else the tier's."""
    return [target_for(tier, overrides, subject) for subject in ClockSubject]


@dataclass(frozen=True)
class TargetChange:
    """New targets for a subject; None on both returns the subject to the tier's default."""

    subject: ClockSubject
    response_seconds: int | None
    resolution_seconds: int | None


def _checked(changes: Sequence[TargetChange]) -> None:
    errors: list[DomainError] = []
    seen: set[ClockSubject] = set()
    for index, change in enumerate(changes):
        where = ["targets", str(index)]
        if change.subject in seen:
            errors.append(Invalid(f"{change.subject} is given twice", field=where))
        seen.add(change.subject)
        for name, value in (
            ("responseSeconds", change.response_seconds),
            ("resolutionSeconds", change.resolution_seconds),
        ):
            if value is not None and not 0 < value <= MAX_TARGET_SECONDS:
                errors.append(
                    Invalid(
                        f"{name} must be between 1 and {MAX_TARGET_SECONDS}",
                        field=[*where, name],
                    )
                )
    if errors:
        raise DomainErrors(errors)


async def policies_for(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClockPolicy]:
    """The stored policies of these services (one statement); absent ones use the defaults."""
    return await repository.policies_by_service_ids(session, service_ids)


async def update_clock_policy(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    version: int | None,
    changes: Sequence[TargetChange],
) -> tuple[Service, ClockPolicy]:
    """Set some of a service's clock targets (its owner team or an ADMIN)."""
    service = await services.get_service(session, service_id)
    if service is None or service.archived_at is not None:
        raise NotFound("no such service", field=["serviceId"])
    require_service_editor(principal, service.owner_team_id)
    _checked(changes)
    policy = await repository.lock_policy(session, service.id)
    if policy is None:
        check_version_absent(version)
        policy = ClockPolicy(id=uuid.uuid4(), service_id=service.id, targets={})
        session.add(policy)
    else:
        check_version(policy, version)
    targets = dict(policy.targets)
    for change in changes:
        default = default_targets(service.tier, change.subject)
        if change.response_seconds is None and change.resolution_seconds is None:
            targets.pop(change.subject.value, None)
            continue
        targets[change.subject.value] = {
            "response": change.response_seconds or default.response,
            "resolution": change.resolution_seconds or default.resolution,
        }
    if targets != policy.targets:
        policy.targets = targets
    await session.flush()
    await restamp_service(session, service.id)
    return service, policy


def check_version_absent(version: int | None) -> None:
    """A service that never had its own policy is at version 0."""
    if version not in (None, 0):
        raise Conflict(
            f"the clock policy changed since you read it (version {version}, now 0);"
            " reload and try again",
            field=["version"],
        )
