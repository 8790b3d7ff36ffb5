"""The pure rules of Event Monitoring: a log row read as an event, and the anomalies of an
access judged by what was known of its user before its day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.event_monitoring.anomalies import Baseline, anomalies, ip_range
from catalog.event_monitoring.events import parse_event
from catalog.event_monitoring.models import Anomaly, DataAction

USER = "0055g00000AnaAAAAA"
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _row(**values: str) -> dict[str, str]:
    return {"TIMESTAMP_DERIVED": "2026-11-02T09:14:03.123Z", "USER_ID_DERIVED": USER} | values


@pytest.mark.parametrize(
    ("event_type", "row", "expected"),
    [
        ("API", _row(METHOD_NAME="query", ENTITY_NAME="Account", ROWS_PROCESSED="12"),
         (None, "Account", DataAction.READ, 12)),
        ("API", _row(METHOD_NAME="describeSObject", ENTITY_NAME="Account"),
         (None, "Account", None, None)),
        ("ReportExport", _row(ENTITY_NAME="Opportunity", ROW_COUNT="4500"),
         (None, "Opportunity", DataAction.EXPORT, 4500)),
        ("BulkApi", _row(ENTITY_TYPE="Case", OPERATION_TYPE="queryAll", ROWS_PROCESSED="9.0"),
         (None, "Case", DataAction.EXPORT, 9)),
        ("BulkApi", _row(ENTITY_TYPE="Case", OPERATION_TYPE="insert", ROWS_PROCESSED="9"),
         (None, "Case", None, 9)),
        ("LightningPageView", _row(APP_NAME="Sales", PAGE_ENTITY_TYPE="Lead"),
         ("Sales", "Lead", None, None)),
        ("URI", _row(URI="/lightning/r/Case/5005g00000AbCdE/view"), (None, "Case", None, None)),
        ("URI", _row(URI="/apex/SomePage"), (None, None, None, None)),
    ],
)  # fmt: skip
def test_each_event_type_names_its_app_object_action_and_rows(
    event_type: str, row: dict[str, str], expected: tuple[object, ...]
) -> None:
    event = parse_event(event_type, row)

    assert event is not None
    assert (event.app, event.object_name, event.action, event.rows) == expected
    assert event.at == datetime(2026, 11, 2, 9, 14, 3, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "row",
    [
        _row(TIMESTAMP_DERIVED="yesterday"),
        _row(USER_ID_DERIVED=""),
        _row(USER_ID_DERIVED="not-an-id"),
        _row(ENTITY_NAME="Account", ROW_COUNT="many"),
        _row(ENTITY_NAME="Account", ROW_COUNT="-3"),
    ],
)
def test_a_row_without_a_time_a_user_or_a_count_is_no_event(row: dict[str, str]) -> None:
    assert parse_event("ReportExport", row) is None


def test_the_same_request_in_an_hourly_and_a_daily_log_has_one_key() -> None:
    hourly = parse_event("API", _row(REQUEST_ID="4exLFFQZ1234", METHOD_NAME="query"))
    daily = parse_event("API", _row(REQUEST_ID="4exLFFQZ1234", METHOD_NAME="query", EXTRA="x"))
    unnamed = parse_event("API", _row(METHOD_NAME="query"))

    assert hourly is not None
    assert daily is not None
    assert unnamed is not None
    assert hourly.key == daily.key == "API:4exLFFQZ1234"
    assert len(unnamed.key) == 64


def _worked(days: int, country: str = "United Kingdom", ip: str = "81.2.69.10") -> Baseline:
    baseline = Baseline()
    for day in range(days):
        baseline.learn(MONDAY + timedelta(days=day), country, ip_range(ip))
    return baseline


def _judge(baseline: Baseline, at: datetime, **facts: object) -> list[Anomaly]:
    given: dict[str, object] = {"action": DataAction.READ, "rows": 10, "country": "United Kingdom",
                                "network": ip_range("81.2.69.200")} | facts  # fmt: skip
    return anomalies(baseline, at=at, export_rows=10_000, **given)  # type: ignore[arg-type]


def test_a_large_export_from_a_new_country_and_range_at_night_breaks_four_rules() -> None:
    baseline = _worked(12)
    night = MONDAY + timedelta(days=12, hours=-7)  # 02:00

    found = _judge(baseline, night, action=DataAction.EXPORT, rows=250_000, country="Brazil",
                   network=ip_range("177.71.128.45"))  # fmt: skip

    assert found == [
        Anomaly.LARGE_EXPORT,
        Anomaly.NEW_COUNTRY,
        Anomaly.NEW_IP_RANGE,
        Anomaly.UNUSUAL_HOUR,
    ]


def test_the_usual_office_next_hour_and_a_read_of_many_rows_break_none() -> None:
    baseline = _worked(12)

    assert _judge(baseline, MONDAY + timedelta(days=12, hours=1), rows=50_000) == []


def test_the_login_of_the_same_day_does_not_make_its_country_usual() -> None:
    baseline = _worked(3)
    day = MONDAY + timedelta(days=3)
    baseline.learn(day, "Brazil", ip_range("177.71.128.45"))

    found = _judge(baseline, day, country="Brazil", network=ip_range("177.71.128.46"))

    assert found == [Anomaly.NEW_COUNTRY, Anomaly.NEW_IP_RANGE]


def test_a_newcomer_has_no_unusual_places_or_hours_yet() -> None:
    assert _judge(Baseline(), MONDAY.replace(hour=3), country="Brazil") == []
    assert _judge(_worked(5), MONDAY.replace(hour=3) + timedelta(days=5)) == []


def test_ip_ranges_are_a_slash_24_or_an_ipv6_slash_48() -> None:
    assert ip_range("203.0.113.77") == "203.0.113.0/24"
    assert ip_range("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert ip_range("not an ip") is None
    assert ip_range(None) is None
