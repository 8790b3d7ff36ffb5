"""Release status table, what each kind ships, seasonal names, sprint velocity."""

from __future__ import annotations

import pytest

from work.backlog.models import BacklogItemStatus as I
from work.backlog.models import BacklogItemType as T
from work.backlog.velocity import velocity
from work.releases.models import ReleaseKind as K
from work.releases.models import ReleaseStatus as S
from work.releases.models import Season
from work.releases.transitions import allowed_next, season_name, ships_type


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.PLANNED, (S.IN_PROGRESS,)),
        (S.IN_PROGRESS, (S.RELEASED,)),
        (S.RELEASED, (S.ROLLED_BACK,)),
        (S.ROLLED_BACK, ()),
    ],
)
def test_release_status_table(status: S, expected: tuple[S, ...]) -> None:
    assert allowed_next(status) == expected


@pytest.mark.parametrize(
    ("kind", "item_type", "ships"),
    [
        (K.HOTFIX, T.HOTFIX, True),
        (K.HOTFIX, T.VULNERABILITY, True),
        (K.HOTFIX, T.FEATURE, False),
        (K.HOTFIX, T.DEFECT, False),
        (K.REGULAR, T.FEATURE, True),
        (K.REGULAR, T.HOTFIX, True),
        (K.SALESFORCE_SEASONAL, T.TECH_DEBT, True),
    ],
)
def test_a_hotfix_release_ships_only_fixes(kind: K, item_type: T, ships: bool) -> None:
    assert ships_type(kind, item_type) is ships


@pytest.mark.parametrize(
    ("season", "year", "name"),
    [
        (Season.SPRING, 2026, "Spring '26"),
        (Season.SUMMER, 2026, "Summer '26"),
        (Season.WINTER, 2027, "Winter '27"),
        (Season.WINTER, 2100, "Winter '00"),
    ],
)
def test_seasonal_names(season: Season, year: int, name: str) -> None:
    assert season_name(season, year) == name


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], 0),
        ([(I.DONE, 3), (I.RELEASED, 5)], 8),
        ([(I.DONE, 3), (I.IN_SPRINT, 5), (I.IN_DESIGN_REVIEW, 8)], 3),
        ([(I.DONE, None), (I.RELEASED, 2), (I.DECLINED, 13)], 2),
    ],
)
def test_velocity_counts_finished_estimates(
    items: list[tuple[I, int | None]], expected: int
) -> None:
    assert velocity(items) == expected
