"""Shared responsibility: the part of an outage inside a Salesforce Trust incident counts
against the vendor, not the team, in AVAILABILITY and MTTR; objectives answer both figures, and
only the raw one, flagged, when the Trust data does not cover their window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import SalesforceOrg
from catalog.trust.models import INCIDENTS, TrustSync, VendorIncident
from service_levels.frames import Frame, MetricValue
from service_levels.metric_sql import MetricSettings, measure_all
from service_levels.models import Comparator, Measurement, Metric, Objective, Sla, WindowKind
from service_levels.objective_answers import objective_answers
from service_levels.objectives import Status
from tests.builders.catalog import create_org, create_service
from tests.builders.work import incident_with_moves
from work.incidents.models import Incident, IncidentStatus, Severity
from work.incidents.vendor_time import vendor_attribution_by_incident_ids

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
MARCH_SECONDS = 31 * 24 * 3600
SETTINGS = MetricSettings()
_I = IncidentStatus


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


async def trust_incident(
    session: AsyncSession,
    keys: list[str],
    start: datetime,
    end: datetime | None,
    *,
    affects_all: bool = False,
) -> VendorIncident:
    row = VendorIncident(
        trust_id=int(uuid.uuid4().int % 10**9),
        instance_keys=keys,
        service_keys=["coreService"],
        is_core=True,
        affects_all=affects_all,
        severity="major",
        impact_type="serviceDisruption",
        started_at=start,
        ended_at=end,
        synced_at=start,
    )
    session.add(row)
    await session.flush()
    return row


async def synced(session: AsyncSession, moment: datetime | None = None) -> None:
    """The Trust incidents read in full at `moment` (default: now)."""
    moment = moment or datetime.now(UTC)
    session.add(TrustSync(feed=INCIDENTS, synced_at=moment, attempted_at=moment))
    await session.flush()


async def sev1(
    session: AsyncSession, service: uuid.UUID, detected: datetime, mitigated: datetime
) -> Incident:
    moves = [(detected, _I.DETECTED), (detected, _I.ACKNOWLEDGED), (mitigated, _I.MITIGATED)]
    incident = await incident_with_moves(
        session, moves, service_ids=[service], severity=Severity.SEV1
    )
    incident.mitigated_at = mitigated
    await session.flush()
    return incident


async def service_on(session: AsyncSession, instance_key: str | None) -> uuid.UUID:
    org: SalesforceOrg = await create_org(session, instance_key=instance_key)
    return (await create_service(session, orgs=[org])).id


async def measured(session: AsyncSession, service: uuid.UUID) -> dict[Metric, MetricValue]:
    frames = {
        metric: [Frame(1, (service,), *MARCH)] for metric in (Metric.AVAILABILITY, Metric.MTTR)
    }
    found = await measure_all(session, frames, SETTINGS)
    return {metric: found[metric][1] for metric in found}


async def test_a_sev1_during_a_trust_incident_counts_against_the_vendor_not_the_team(
    session: AsyncSession,
) -> None:
    service = await service_on(session, "NA135")
    await sev1(session, service, at(10, 10), at(10, 12))  # two hours down
    await trust_incident(session, ["NA135", "NA136"], at(10, 9), at(10, 11))  # one of them
    await synced(session)

    found = await measured(session, service)

    availability, mttr = found[Metric.AVAILABILITY], found[Metric.MTTR]
    assert availability.vendor_split is True
    assert availability.value == pytest.approx(1 - 3600 / MARCH_SECONDS)
    assert availability.raw_value == pytest.approx(1 - 7200 / MARCH_SECONDS)
    assert mttr.value == pytest.approx(3600)
    assert mttr.raw_value == pytest.approx(7200)
    assert mttr.vendor_split is True


async def test_trust_incidents_on_other_instances_or_times_count_for_nothing(
    session: AsyncSession,
) -> None:
    service = await service_on(session, "NA135")
    await sev1(session, service, at(10, 10), at(10, 12))
    await trust_incident(session, ["EU45"], at(10, 9), at(10, 11))  # another instance
    await trust_incident(session, ["NA135"], at(12), at(12, 1))  # another day
    await synced(session)

    found = await measured(session, service)

    assert found[Metric.MTTR].value == pytest.approx(7200)


async def test_an_incident_linked_to_a_trust_incident_counts_its_overlap_against_the_vendor(
    session: AsyncSession,
) -> None:
    service = await service_on(session, None)  # a My Domain org: no instance known
    incident = await sev1(session, service, at(10, 10), at(10, 12))
    vendor = await trust_incident(session, ["NA99"], at(10, 10, 30), None)  # still open
    incident.vendor_incident_id = vendor.id
    await synced(session)

    found = await measured(session, service)
    attribution = await vendor_attribution_by_incident_ids(session, [incident.id])

    assert found[Metric.MTTR].value == pytest.approx(1800)
    assert attribution[incident.id].seconds == pytest.approx(5400)
    assert attribution[incident.id].vendor_incident_ids == [vendor.id]


async def test_a_trust_incident_affecting_all_instances_counts_for_every_known_instance(
    session: AsyncSession,
) -> None:
    service = await service_on(session, "NA135")
    await sev1(session, service, at(10, 10), at(10, 12))
    await trust_incident(session, [], at(10, 11), at(10, 13), affects_all=True)
    await synced(session)

    found = await measured(session, service)

    assert found[Metric.MTTR].value == pytest.approx(3600)


async def test_without_fresh_trust_data_the_answer_is_the_raw_figure_flagged(
    session: AsyncSession,
) -> None:
    service = await service_on(session, "NA135")
    await sev1(session, service, at(10, 10), at(10, 12))
    await trust_incident(session, ["NA135"], at(10, 9), at(10, 11))
    await synced(session, at(15))  # last read in full mid-March, long ago

    found = await measured(session, service)

    mttr = found[Metric.MTTR]
    assert mttr.value == pytest.approx(7200)
    assert mttr.raw_value == pytest.approx(7200)
    assert mttr.vendor_split is False


async def test_an_objective_is_judged_on_the_team_figure_and_answers_both(
    session: AsyncSession,
) -> None:
    service = await service_on(session, "NA135")
    now = datetime.now(UTC)
    await sev1(session, service, now - timedelta(hours=3), now - timedelta(hours=1))
    await trust_incident(
        session, ["NA135"], now - timedelta(hours=4), now - timedelta(hours=1, minutes=30)
    )
    sla = Sla(service_id=service, name="Restore")
    session.add(sla)
    await session.flush()
    objective = Objective(
        sla_id=sla.id,
        metric=Metric.MTTR,
        comparator=Comparator.AT_MOST,
        target=3600,
        window_kind=WindowKind.ROLLING_DAYS,
        window_days=7,
        position=0,
    )
    session.add(objective)
    await session.flush()

    stale = (await objective_answers(session, [objective.id], now, SETTINGS))[objective.id]
    await synced(session, now)
    split = (await objective_answers(session, [objective.id], now, SETTINGS))[objective.id]

    assert stale.current_value == pytest.approx(7200)
    assert stale.status is Status.BREACHED
    assert stale.vendor_split is False
    assert split.current_value == pytest.approx(1800)
    assert split.raw_value == pytest.approx(7200)
    assert split.status is Status.MET
    assert split.vendor_split is True


async def test_a_measurement_recorded_as_vendor_attributed_counts_only_in_the_raw_figure(
    session: AsyncSession,
) -> None:
    service = await service_on(session, None)
    for day, amount, vendor in ((5, 100.0, False), (6, 40.0, True)):
        session.add(
            Measurement(
                metric=Metric.COST,
                service_id=service,
                at=at(day),
                value=amount,
                vendor_attributed=vendor,
            )
        )
    await session.flush()

    found = (await measure_all(session, {Metric.COST: [Frame(1, (service,), *MARCH)]}, SETTINGS))[
        Metric.COST
    ][1]

    assert found.value == pytest.approx(100.0)
    assert found.raw_value == pytest.approx(140.0)
    assert found.vendor_split is True
