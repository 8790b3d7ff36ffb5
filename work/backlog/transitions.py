"""The backlog item status table of SPEC.md, as data: which move is allowed, and how."""

from __future__ import annotations

from work.backlog.models import BacklogItemStatus as S
from work.backlog.models import BacklogItemType as T
from work.backlog.models import DesignReviewOutcome

# Hot fixes and vulnerabilities skip sprints and design review.
SKIPS_SPRINTS = frozenset({T.HOTFIX, T.VULNERABILITY})
# Work not finished yet: it may still be declined, planned, re-ranked into a sprint.
OPEN = frozenset({S.NEW, S.READY, S.IN_SPRINT, S.IN_DESIGN_REVIEW})
# Flow metrics (service_levels.flow), requirement to deploy: an item is in the flow until it
# is released (DONE waits for its release), and time spent queued in the backlog or waiting
# for a release is waiting, not work.
IN_FLOW = OPEN | {S.DONE}
WAITING = frozenset({S.NEW, S.READY, S.DONE})
DELIVERED = frozenset({S.RELEASED})
# A service is required where the work is about a running service.
NEEDS_SERVICE = frozenset({T.DEFECT, T.HOTFIX, T.VULNERABILITY})

_REGULAR: dict[S, tuple[S, ...]] = {
    S.NEW: (S.READY, S.DECLINED),
    S.READY: (S.IN_SPRINT, S.DECLINED),
    S.IN_SPRINT: (S.IN_DESIGN_REVIEW, S.DONE, S.READY, S.DECLINED),
    S.IN_DESIGN_REVIEW: (S.IN_SPRINT, S.DONE, S.DECLINED),
    S.DONE: (S.RELEASED,),
    S.RELEASED: (S.DONE,),
}
_SKIPPING_SPRINTS: dict[S, tuple[S, ...]] = {
    S.NEW: (S.READY, S.DECLINED),
    S.READY: (S.DONE, S.DECLINED),
    S.DONE: (S.RELEASED,),
    S.RELEASED: (S.DONE,),
}
# Moves that only a dedicated mutation makes, because they change more than the status.
BY_MUTATION: dict[tuple[S, S], str] = {
    (S.READY, S.IN_SPRINT): "addToSprint",
    (S.IN_SPRINT, S.READY): "removeFromSprint",
    (S.DONE, S.RELEASED): "shipRelease",
    (S.RELEASED, S.DONE): "rollBackRelease",
}


def allowed_next(item_type: T, status: S) -> tuple[S, ...]:
    """Every next state of the table, whichever mutation makes it."""
    table = _SKIPPING_SPRINTS if item_type in SKIPS_SPRINTS else _REGULAR
    return table.get(status, ())


def mutation_for(before: S, after: S) -> str | None:
    """The mutation that makes this move, when `transitionBacklogItem` does not."""
    return BY_MUTATION.get((before, after))


def is_manual(item_type: T, before: S, after: S) -> bool:
    """Whether `transitionBacklogItem` may make this move."""
    return after in allowed_next(item_type, before) and mutation_for(before, after) is None


def default_needs_design_review(item_type: T) -> bool:
    """Features are reviewed by default; hot fixes and vulnerabilities never."""
    return item_type is T.FEATURE


def may_need_design_review(item_type: T) -> bool:
    return item_type not in SKIPS_SPRINTS


def review_blocks_done(needs_review: bool, latest: DesignReviewOutcome | None) -> bool:
    """An item that needs review reaches DONE only when its latest review approved it."""
    return needs_review and latest is not DesignReviewOutcome.APPROVED
