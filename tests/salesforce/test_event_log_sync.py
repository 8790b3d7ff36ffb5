"""The event-log sync against the fake: EventLogFile logs streamed into adoption per service
and sensitive-data access with anomalies; incremental, idempotent, bounded by the API budget;
malformed rows skipped and counted; an org without Event Monitoring noted, nothing broken."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.event_monitoring import repository
from catalog.event_monitoring.models import (
    DataAccess,
    EventLogCursor,
    EventMonitoringOrg,
    SalesforceActivity,
)
from catalog.event_monitoring.sync import SyncTerms, sync_event_logs
from catalog.services.models import DataClassification
from core.salesforce_settings import SalesforceOrgConfig
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.event_logs import (
    COLUMNS,
    HOURLY,
    add_log_file,
    add_login,
    assign_permission_set,
    csv_line,
    rows_file,
)
from salesforce.gateway import SalesforceGateway
from service_levels.adoption_sampling import sample_adoption
from service_levels.models import Measurement, Metric
from tests.builders.catalog import create_org, create_service
from tests.salesforce.event_logs import ANA, BEN, DAY, NOW, TERMS, at, export, history, views


async def _services(session: AsyncSession, crm: FakeOrg) -> tuple[Any, Any, Any]:
    org = await create_org(session, org_id=crm.org_id, credentials_ref="crm")
    sales = await create_service(
        session, orgs=[org], salesforce_apps=["Sales"], salesforce_objects=["Opportunity"],
        data_classification=DataClassification.CONFIDENTIAL,
    )  # fmt: skip
    support = await create_service(
        session, orgs=[org], salesforce_apps=["Service_Console"], salesforce_objects=["Case"],
        salesforce_permission_sets=["Case_Agent"], data_classification=DataClassification.INTERNAL,
    )  # fmt: skip
    return org, sales, support


async def _accesses(session: AsyncSession) -> list[tuple[Any, ...]]:
    rows = await session.scalars(select(DataAccess).order_by(DataAccess.at, DataAccess.rows))
    return [
        (row.user_id, row.object_name, row.action, row.rows, row.source_ip, row.country,
         sorted(row.anomalies))
        for row in rows
    ]  # fmt: skip


async def test_adoption_differs_per_service_and_a_bulk_export_from_a_new_country_is_flagged(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    org, sales, support = await _services(session, crm)
    history(crm, 14)
    assign_permission_set(crm, ANA, "Case_Agent")
    add_login(crm, ANA, at(14, 9, 55), source_ip="200.160.2.3", country="Brazil",
              country_iso="BR")  # fmt: skip
    add_log_file(
        crm, "ReportExport", at(14, 0),
        rows_file("ReportExport", [export(250), export(48_000, ip="200.160.2.3")]),
    )  # fmt: skip

    report = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    assert report.summary() == (
        f"event logs of 1 of 1 production orgs read; {org.name}: 15 log files, 30 rows"
        " (0 malformed skipped), 2 new sensitive accesses (1 flagged)"
    )
    assert await _accesses(session) == [
        (ANA, "Opportunity", "EXPORT", 250, "81.2.69.10", "United Kingdom", []),
        (ANA, "Opportunity", "EXPORT", 48_000, "200.160.2.3", "Brazil",
         ["LARGE_EXPORT", "NEW_COUNTRY", "NEW_IP_RANGE"]),
    ]  # fmt: skip
    found = await repository.adoption(
        session, [sales.id, support.id], date(2026, 11, 20), date(2026, 12, 5)
    )
    # Sales: Ana alone (views, then the export day); support: Ben, and Ana by her permission set.
    assert found[sales.id][0] == (None, 1, 15)
    assert found[support.id][0] == (None, 2, 29)
    assert found[support.id][1] == (date(2026, 11, 20), 2, 2)


async def test_a_second_run_reads_nothing_again_and_overlapping_hourly_logs_count_once(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg, fake: FakeSalesforce
) -> None:
    await _services(session, crm)
    history(crm, 3)
    await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)
    counted = await session.scalar(select(func.count()).select_from(SalesforceActivity))
    # The same day's page views again as an hourly log: the same events, the same keys.
    add_log_file(crm, "LightningPageView", at(2, 9), rows_file("LightningPageView", views(2)),
                 interval=HOURLY)  # fmt: skip
    fake.clear_calls()

    report = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)
    again = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    assert await session.scalar(select(func.count()).select_from(SalesforceActivity)) == counted
    assert "1 log files, 2 rows" in report.summary()
    assert "0 log files, 0 rows" in again.summary()
    blobs = [call for call in fake.calls if call.kind == "blob"]
    assert len(blobs) == 1  # the earlier files were never downloaded again
    cursor = await session.get(EventLogCursor, (await _org_id(session, crm), "LightningPageView"))
    assert cursor is not None
    assert cursor.files == 4
    assert cursor.rows == 8


async def _org_id(session: AsyncSession, crm: FakeOrg) -> Any:
    from catalog.orgs.models import SalesforceOrg

    return await session.scalar(select(SalesforceOrg.id).where(SalesforceOrg.org_id == crm.org_id))


async def test_malformed_and_truncated_rows_are_skipped_and_counted_and_the_rest_is_read(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await _services(session, crm)
    good = views(0)
    columns = COLUMNS["LightningPageView"]

    def lines() -> Any:
        yield csv_line(columns)
        yield csv_line([good[0].get(c, "LightningPageView") for c in columns])
        yield csv_line(["LightningPageView", "not a time", "r1", ANA, ANA, "", "s", "", "", "", ""])
        yield '"LightningPageView","2026-11-20T09:00:00.000Z","only three cells"\n'
        yield csv_line([good[1].get(c, "LightningPageView") for c in columns])
        yield '"LightningPageView","2026-11-20T11:00:00.000Z","r9","' + ANA + '","trunc'

    add_log_file(crm, "LightningPageView", at(0, 0), lines)

    report = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    assert "1 log files, 2 rows (3 malformed skipped)" in report.summary()
    users = await session.scalars(select(SalesforceActivity.user_id).distinct())
    assert sorted(users) == [ANA, BEN]


async def test_an_org_without_event_monitoring_is_noted_and_the_others_are_read(
    fake: FakeSalesforce, gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg,
    partners: FakeOrg,
) -> None:  # fmt: skip
    await _services(session, crm)
    other = await create_org(session, org_id=partners.org_id, credentials_ref="partners")
    partners.event_monitoring = False
    history(crm, 1)

    report = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    assert report.unlicensed == [other.name]
    assert report.orgs[other.name] == (
        "Event Monitoring is not licensed (EventLogFile unknown): nothing read"
    )
    assert "1 log files, 2 rows" in report.orgs[next(n for n in report.orgs if n != other.name)]
    state = await session.get(EventMonitoringOrg, other.id)
    assert state is not None
    assert state.licensed is False


async def test_the_job_stops_at_its_api_share_says_so_and_the_next_run_resumes(
    gateway: SalesforceGateway,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
) -> None:
    org, _, _ = await _services(session, crm)
    history(crm, 6)
    crm.api_max = 100
    crm.api_used = 45  # the list query, the logins and two files take it to 50 of 100
    terms = SyncTerms(backfill_days=30, export_rows=10_000, api_share=0.5)

    first = await sync_event_logs(session, gateway=gateway, now=NOW, terms=terms)
    crm.api_used = 0  # a new day, and the next run's own gateway
    next_gateway = SalesforceGateway(org_configs, ca_bundle=ca_bundle)
    try:
        second = await sync_event_logs(session, gateway=next_gateway, now=NOW, terms=terms)
    finally:
        await next_gateway.close()

    assert first.failed == [org.name]
    assert first.orgs[org.name].startswith("2 log files, 4 rows")
    assert (
        "stopped: API budget reached: 50 of 100 daily calls used, jobs stop at 50%"
        in (first.orgs[org.name])
    )
    assert second.orgs[org.name].startswith("4 log files, 8 rows")
    total = await session.scalar(select(func.count()).select_from(SalesforceActivity))
    assert total == 6 * 2 * 2  # 6 days x 2 users x (app, object)


async def test_adoption_sampling_records_each_footprinted_services_own_users_on_a_shared_org(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    org, sales, support = await _services(session, crm)
    plain = await create_service(session, orgs=[org])  # no footprint: the org's figure
    for number in range(3):
        crm.add("User", IsActive=True, UserType="Standard", LastLoginDate=NOW - DAY * number)
    crm.add("UserLicense", Name="Salesforce", Status="Active", UsedLicenses=10)
    history(crm, 14)
    await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    await sample_adoption(session, source=gateway, refs=["crm"], now=NOW)

    rows = await session.scalars(select(Measurement).where(Measurement.metric == Metric.ADOPTION))
    found = {row.service_id: (row.value, row.details) for row in rows}
    assert found[sales.id] == (0.1, {"activeUsers": 1, "licensedUsers": 10, "source": "eventLogs"})
    assert found[support.id] == (
        0.1,
        {"activeUsers": 1, "licensedUsers": 10, "source": "eventLogs"},
    )
    assert found[plain.id] == (0.3, {"activeUsers": 3, "licensedUsers": 10})


async def test_a_log_gone_since_it_was_listed_is_passed_and_the_others_are_read(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    org, _, _ = await _services(session, crm)
    history(crm, 3)
    gone = min(crm.records["EventLogFile"].values(), key=lambda record: record["LogDate"])
    del crm.log_files[gone["Id"]]  # its blob answers 404 NOT_FOUND

    report = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)
    again = await sync_event_logs(session, gateway=gateway, now=NOW, terms=TERMS)

    assert report.orgs[org.name] == (
        "3 log files, 4 rows (0 malformed skipped), 0 new sensitive accesses (0 flagged),"
        " 1 log files refused"
    )
    assert report.failed == []
    assert again.orgs[org.name].startswith("0 log files")
