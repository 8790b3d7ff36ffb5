"""Event logs for tests: two users working office hours from London, page views in the
Sales app and the service console, report exports of opportunities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.event_monitoring.sync import SyncTerms
from salesforce.fake import FakeOrg
from salesforce.fake.event_logs import add_log_file, add_login, event_timestamp, rows_file

DAY = timedelta(days=1)
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
START = datetime(2026, 11, 20, tzinfo=UTC)  # 16 days of logs before NOW
ANA, BEN = "0055g00000AnaAAAAA", "0055g00000BenAAAAA"
TERMS = SyncTerms(backfill_days=30, export_rows=10_000, api_share=1.0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return START + day * DAY + timedelta(hours=hour, minutes=minute)


def views(day: int) -> list[dict[str, Any]]:
    """Ana works in the Sales app on opportunities, Ben in the console on cases; office hours."""
    return [
        {"TIMESTAMP_DERIVED": event_timestamp(at(day, 9, 5)), "USER_ID_DERIVED": ANA,
         "SESSION_KEY": f"a{day}", "CLIENT_IP": "81.2.69.10", "APP_NAME": "Sales",
         "PAGE_ENTITY_TYPE": "Opportunity", "REQUEST_ID": f"pv-a-{day}"},
        {"TIMESTAMP_DERIVED": event_timestamp(at(day, 10, 30)), "USER_ID_DERIVED": BEN,
         "SESSION_KEY": f"b{day}", "CLIENT_IP": "81.2.69.20", "APP_NAME": "Service_Console",
         "PAGE_ENTITY_TYPE": "Case", "REQUEST_ID": f"pv-b-{day}"},
    ]  # fmt: skip


def history(org: FakeOrg, days: int) -> None:
    """Two weeks of office-hours work from London, as logs and logins."""
    for day in range(days):
        for user, ip in ((ANA, "81.2.69.10"), (BEN, "81.2.69.20")):
            add_login(org, user, at(day, 8, 55), source_ip=ip, country="United Kingdom",
                      country_iso="GB")  # fmt: skip
        add_log_file(
            org, "LightningPageView", at(day, 0), rows_file("LightningPageView", views(day))
        )


def export(rows: int, ip: str = "81.2.69.10", hour: int = 10) -> dict[str, Any]:
    return {
        "TIMESTAMP_DERIVED": event_timestamp(at(14, hour, 10)),
        "USER_ID_DERIVED": ANA,
        "SESSION_KEY": "a14",
        "CLIENT_IP": ip,
        "REPORT_ID": "00O5g000001AbcD",
        "ENTITY_NAME": "Opportunity",
        "ROW_COUNT": str(rows),
        "REQUEST_ID": f"export-{rows}-{ip}",
    }
