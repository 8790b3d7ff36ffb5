"""Fractional ranks: a move writes one row, renumbering only when a gap wears out.

Lower ranks come first. An item moved between two neighbours takes the midpoint of
their ranks; at the top or the bottom it takes one step beyond its only neighbour.
Halving a gap some thirty times wears it below `MIN_GAP`, and then the backlog is
renumbered 1, 2, 3... once before the move.
"""

from __future__ import annotations

STEP = 1.0
MIN_GAP = 1e-9


def rank_between(lower: float | None, upper: float | None) -> float | None:
    """A rank strictly between two neighbours' ranks, or None when the gap is worn out."""
    if lower is None and upper is None:
        return STEP
    if lower is None:
        assert upper is not None
        return upper - STEP
    if upper is None:
        return lower + STEP
    middle = (lower + upper) / 2
    if upper - lower < MIN_GAP or not lower < middle < upper:
        return None
    return middle


def renumbered(count: int) -> list[float]:
    """The ranks of a renumbered backlog of `count` items, in order."""
    return [STEP * (position + 1) for position in range(count)]
