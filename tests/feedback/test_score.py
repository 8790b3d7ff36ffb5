"""The priority score: its documented example, its monotony, and what it ignores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback.score import priority_score

NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def _score(**overrides: object) -> float | None:
    values: dict[str, object] = {
        "kind": "IDEA",
        "votes": 9,
        "voter_teams": 3,
        "rating": 2,
        "tier": "TIER_1",
        "created_at": NEW_YEAR,
    }
    values.update(overrides)
    return priority_score(**values)  # type: ignore[arg-type]


def test_the_documented_worked_example() -> None:
    assert _score() == pytest.approx(690.2915, abs=1e-4)


def test_one_more_vote_adds_what_the_docs_say() -> None:
    assert _score(votes=10) - _score() == pytest.approx(0.1906, abs=1e-4)  # type: ignore[operator]


def test_a_day_younger_scores_a_thirtieth_more() -> None:
    younger = _score(created_at=NEW_YEAR + timedelta(days=1))
    assert younger - _score() == pytest.approx(1 / 30, abs=1e-9)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"votes": 10}, {"votes": 9}),
        ({"voter_teams": 4}, {"voter_teams": 3}),
        ({"rating": 1}, {"rating": 2}),
        ({"tier": "TIER_1"}, {"tier": "TIER_2"}),
    ],
)
def test_more_votes_teams_pain_or_criticality_rank_higher(
    better: dict[str, object], worse: dict[str, object]
) -> None:
    assert _score(**better) > _score(**worse)  # type: ignore[operator]


def test_no_rating_means_no_pain() -> None:
    assert _score(rating=None) == pytest.approx(_score(rating=5))


def test_praise_is_not_ranked() -> None:
    assert _score(kind="PRAISE") is None


def test_the_documented_external_votes_example() -> None:
    assert _score(external_votes=4) == pytest.approx(691.9009, abs=1e-4)
    fifth = _score(external_votes=5) - _score(external_votes=4)  # type: ignore[operator]
    assert fifth == pytest.approx(0.1823, abs=1e-4)


def test_an_external_vote_weighs_half_a_persons() -> None:
    person = _score(votes=1, voter_teams=0)
    external = _score(votes=0, voter_teams=0, external_votes=1)
    nobody = _score(votes=0, voter_teams=0)
    assert external - nobody == pytest.approx((person - nobody) / 2)  # type: ignore[operator]
