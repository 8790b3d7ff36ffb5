"""The backlog item status table, row by row, and the rules around it."""

from __future__ import annotations

import pytest

from work.backlog.models import BacklogItemStatus as S
from work.backlog.models import BacklogItemType as T
from work.backlog.models import DesignReviewOutcome as R
from work.backlog.transitions import (
    allowed_next,
    default_needs_design_review,
    is_manual,
    may_need_design_review,
    mutation_for,
    review_blocks_done,
)

REGULAR = (T.FEATURE, T.DEFECT, T.TECH_DEBT, T.IDEA)
FIXES = (T.HOTFIX, T.VULNERABILITY)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.NEW, (S.READY, S.DECLINED)),
        (S.READY, (S.IN_SPRINT, S.DECLINED)),
        (S.IN_SPRINT, (S.IN_DESIGN_REVIEW, S.DONE, S.READY, S.DECLINED)),
        (S.IN_DESIGN_REVIEW, (S.IN_SPRINT, S.DONE, S.DECLINED)),
        (S.DONE, (S.RELEASED,)),
        (S.RELEASED, (S.DONE,)),
        (S.DECLINED, ()),
    ],
)
@pytest.mark.parametrize("item_type", REGULAR)
def test_regular_items_go_through_sprints(item_type: T, status: S, expected: tuple[S, ...]) -> None:
    assert allowed_next(item_type, status) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.NEW, (S.READY, S.DECLINED)),
        (S.READY, (S.DONE, S.DECLINED)),
        (S.IN_SPRINT, ()),
        (S.IN_DESIGN_REVIEW, ()),
        (S.DONE, (S.RELEASED,)),
        (S.RELEASED, (S.DONE,)),
        (S.DECLINED, ()),
    ],
)
@pytest.mark.parametrize("item_type", FIXES)
def test_hot_fixes_skip_sprints_and_review(
    item_type: T, status: S, expected: tuple[S, ...]
) -> None:
    assert allowed_next(item_type, status) == expected


@pytest.mark.parametrize(
    ("before", "after", "mutation"),
    [
        (S.READY, S.IN_SPRINT, "addToSprint"),
        (S.IN_SPRINT, S.READY, "removeFromSprint"),
        (S.DONE, S.RELEASED, "shipRelease"),
        (S.RELEASED, S.DONE, "rollBackRelease"),
        (S.NEW, S.READY, None),
        (S.IN_SPRINT, S.DONE, None),
    ],
)
def test_some_moves_belong_to_their_own_mutation(before: S, after: S, mutation: str | None) -> None:
    assert mutation_for(before, after) == mutation
    assert is_manual(T.FEATURE, before, after) is (mutation is None)


@pytest.mark.parametrize(
    ("item_type", "before", "after", "manual"),
    [
        (T.FEATURE, S.NEW, S.DONE, False),
        (T.HOTFIX, S.READY, S.DONE, True),
        (T.FEATURE, S.READY, S.DONE, False),
        (T.VULNERABILITY, S.READY, S.IN_SPRINT, False),
        (T.DEFECT, S.IN_DESIGN_REVIEW, S.DONE, True),
        (T.FEATURE, S.DECLINED, S.NEW, False),
    ],
)
def test_manual_moves(item_type: T, before: S, after: S, manual: bool) -> None:
    assert is_manual(item_type, before, after) is manual


@pytest.mark.parametrize(
    ("item_type", "default", "may"),
    [
        (T.FEATURE, True, True),
        (T.DEFECT, False, True),
        (T.TECH_DEBT, False, True),
        (T.IDEA, False, True),
        (T.HOTFIX, False, False),
        (T.VULNERABILITY, False, False),
    ],
)
def test_design_review_defaults(item_type: T, default: bool, may: bool) -> None:
    assert default_needs_design_review(item_type) is default
    assert may_need_design_review(item_type) is may


@pytest.mark.parametrize(
    ("needs", "latest", "blocked"),
    [
        (True, None, True),
        (True, R.CHANGES_REQUESTED, True),
        (True, R.REJECTED, True),
        (True, R.APPROVED, False),
        (False, None, False),
        (False, R.REJECTED, False),
    ],
)
def test_only_an_approval_lets_a_reviewed_item_be_done(
    needs: bool, latest: R | None, blocked: bool
) -> None:
    assert review_blocks_done(needs, latest) is blocked
