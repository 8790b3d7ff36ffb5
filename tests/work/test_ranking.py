"""Fractional ranks: midpoints between neighbours, steps at the ends, worn-out gaps."""

from __future__ import annotations

import pytest

from work.backlog.ranking import MIN_GAP, STEP, rank_between, renumbered


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (None, None, STEP),
        (1.0, 2.0, 1.5),
        (1.0, 1.5, 1.25),
        (-3.0, 5.0, 1.0),
        (None, 1.0, 1.0 - STEP),
        (7.0, None, 7.0 + STEP),
        (1.0, 1.0, None),
        (1.0, 1.0 + MIN_GAP / 2, None),
        (1e6, 1e6 + 1e-10, None),
    ],
)
def test_rank_between(lower: float | None, upper: float | None, expected: float | None) -> None:
    assert rank_between(lower, upper) == expected


def test_halving_a_gap_wears_it_out_after_about_thirty_moves() -> None:
    lower, upper = 1.0, 2.0
    moves = 0
    while (middle := rank_between(lower, upper)) is not None:
        assert lower < middle < upper
        upper = middle
        moves += 1
    assert 25 <= moves <= 35


@pytest.mark.parametrize(
    ("count", "expected"), [(0, []), (1, [STEP]), (3, [STEP, 2 * STEP, 3 * STEP])]
)
def test_renumbered_ranks_leave_full_steps(count: int, expected: list[float]) -> None:
    assert renumbered(count) == expected
