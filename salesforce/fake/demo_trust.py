"""Demo data of the fake Trust API: incidents on the demo orgs' instances (one overlapping the
demo's SEV1 "Global CRM degraded during a Salesforce maintenance overrun", 41 days and 8 hours
ago) and the next three seasonal releases' maintenances, sandbox instances (CS*) previewing
before production ones. Deterministic for a given `now`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from salesforce.fake.trust import FakeTrust

_H, _D = timedelta(hours=1), timedelta(days=1)
# (season, sandbox preview (month, day), production upgrade (month, day), year offset of the
# name: Winter '27 ships in the autumn of 2026).
_CALENDAR = (
    ("Spring", (1, 9), (2, 13), 0),
    ("Summer", (5, 15), (6, 12), 0),
    ("Winter", (8, 28), (10, 9), 1),
)


def next_seasons(today: date, count: int = 3) -> Iterator[tuple[str, date, date]]:
    """(name, sandbox preview, production upgrade) of the next `count` seasonal releases."""
    found = []
    for year in range(today.year, today.year + 3):
        for season, preview, upgrade, offset in _CALENDAR:
            on = date(year, *upgrade)
            if on >= today:
                name = f"{season} '{(year + offset) % 100:02d} Major Release"
                found.append((name, date(year, *preview), on))
    yield from sorted(found, key=lambda item: item[2])[:count]


def add_demo_trust(
    trust: FakeTrust, instances: Sequence[str], *, now: datetime | None = None
) -> None:
    """Trust incidents and the seasonal calendar of these instances."""
    now = now or datetime.now(UTC)
    sev1 = now - (41 * _D + 8 * _H)
    trust.add_incident(
        ["NA135"],
        sev1 - 30 * timedelta(minutes=1),
        sev1 + 90 * timedelta(minutes=1),
        message="A maintenance on NA135 ran past its window; some users saw errors.",
    )
    trust.add_incident(
        ["EU45"],
        now - (12 * _D + 3 * _H),
        now - (12 * _D + 2 * _H),
        severity="minor",
        impact_type="performanceDegradation",
        message="Slow page loads for some users of EU45.",
    )
    sandboxes = [key for key in instances if key.startswith("CS")]
    production = [key for key in instances if not key.startswith("CS")]
    for name, preview, upgrade in next_seasons(now.date()):
        for keys, day in ((sandboxes, preview), (production, upgrade)):
            if keys:
                start = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
                trust.add_maintenance(keys, name, start, start + 5 * _H)
