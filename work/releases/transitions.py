"""The release status table and the rules that depend only on a release's kind."""

from __future__ import annotations

from work.backlog.models import BacklogItemType
from work.releases.models import ReleaseKind, ReleaseStatus, Season

_NEXT: dict[ReleaseStatus, ReleaseStatus] = {
    ReleaseStatus.PLANNED: ReleaseStatus.IN_PROGRESS,
    ReleaseStatus.IN_PROGRESS: ReleaseStatus.RELEASED,
    ReleaseStatus.RELEASED: ReleaseStatus.ROLLED_BACK,
}
# Each move has its own mutation.
MUTATIONS: dict[ReleaseStatus, str] = {
    ReleaseStatus.IN_PROGRESS: "startRelease",
    ReleaseStatus.RELEASED: "shipRelease",
    ReleaseStatus.ROLLED_BACK: "rollBackRelease",
}
# Items and services may be added or removed until the release ships.
EDITABLE = frozenset({ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS})

_HOTFIX_TYPES = frozenset({BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY})


def allowed_next(status: ReleaseStatus) -> tuple[ReleaseStatus, ...]:
    following = _NEXT.get(status)
    return (following,) if following is not None else ()


def ships_type(kind: ReleaseKind, item_type: BacklogItemType) -> bool:
    """A HOTFIX release ships only hot fixes and vulnerabilities; other kinds ship anything."""
    return kind is not ReleaseKind.HOTFIX or item_type in _HOTFIX_TYPES


def season_name(season: Season, year: int) -> str:
    """Salesforce's own name for a seasonal release: `Spring '26`."""
    return f"{season.value.capitalize()} '{year % 100:02d}"
