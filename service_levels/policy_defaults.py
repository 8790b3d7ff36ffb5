"""Default clock targets by service tier: the one table of them. Seconds, business time.

A service's ClockPolicy overrides any entry; what it leaves out comes from here
(`target_for`). TIER_1 P1 and SEV1 are SPEC.md's (response 30 min / resolution 4 h;
acknowledge 15 min / restore 4 h); the rest widen with the tier and the priority or severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from catalog.services.models import Tier

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


class ClockSubject(StrEnum):
    """What a target is for: a request priority or an incident severity."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class Targets(NamedTuple):
    """Response (acknowledge) and resolution (restore) targets, in seconds."""

    response: int
    resolution: int


_M, _H, _D = MINUTE, HOUR, DAY
S = ClockSubject

# fmt: off
DEFAULT_TARGETS: dict[Tier, dict[ClockSubject, Targets]] = {
    #              P1                      P2                      P3                       P4
    Tier.TIER_1: {S.P1: Targets(30 * _M, 4 * _H),  S.P2: Targets(1 * _H, 8 * _H),
                  S.P3: Targets(4 * _H, 3 * _D),   S.P4: Targets(8 * _H, 5 * _D),
                  S.SEV1: Targets(15 * _M, 4 * _H), S.SEV2: Targets(30 * _M, 8 * _H),
                  S.SEV3: Targets(2 * _H, 2 * _D),  S.SEV4: Targets(8 * _H, 5 * _D)},
    Tier.TIER_2: {S.P1: Targets(1 * _H, 8 * _H),   S.P2: Targets(2 * _H, 1 * _D),
                  S.P3: Targets(8 * _H, 5 * _D),   S.P4: Targets(1 * _D, 10 * _D),
                  S.SEV1: Targets(30 * _M, 8 * _H), S.SEV2: Targets(1 * _H, 1 * _D),
                  S.SEV3: Targets(4 * _H, 3 * _D),  S.SEV4: Targets(1 * _D, 10 * _D)},
    Tier.TIER_3: {S.P1: Targets(2 * _H, 1 * _D),   S.P2: Targets(4 * _H, 3 * _D),
                  S.P3: Targets(1 * _D, 10 * _D),  S.P4: Targets(2 * _D, 20 * _D),
                  S.SEV1: Targets(1 * _H, 1 * _D),  S.SEV2: Targets(2 * _H, 2 * _D),
                  S.SEV3: Targets(8 * _H, 5 * _D),  S.SEV4: Targets(2 * _D, 20 * _D)},
    Tier.TIER_4: {S.P1: Targets(4 * _H, 3 * _D),   S.P2: Targets(8 * _H, 5 * _D),
                  S.P3: Targets(2 * _D, 20 * _D),  S.P4: Targets(5 * _D, 30 * _D),
                  S.SEV1: Targets(2 * _H, 2 * _D),  S.SEV2: Targets(4 * _H, 3 * _D),
                  S.SEV3: Targets(1 * _D, 10 * _D), S.SEV4: Targets(5 * _D, 30 * _D)},
}
# fmt: on


def default_targets(tier: Tier, subject: ClockSubject) -> Targets:
    return DEFAULT_TARGETS[Tier(tier)][ClockSubject(subject)]


@dataclass(frozen=True)
class EffectiveTarget:
    subject: ClockSubject
    targets: Targets
    is_default: bool


def target_for(tier: Tier, overrides: Mapping[str, Any], subject: ClockSubject) -> EffectiveTarget:
    """A subject's targets for a service: its policy's own (`overrides`), else the tier's."""
    default = default_targets(tier, subject)
    own = overrides.get(subject.value)
    if not own:
        return EffectiveTarget(subject, default, True)
    return EffectiveTarget(
        subject,
        Targets(
            response=int(own.get("response", default.response)),
            resolution=int(own.get("resolution", default.resolution)),
        ),
        False,
    )
