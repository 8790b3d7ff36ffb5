"""The demo organisation: believable, valid, and loaded only once however often it is seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models import actions as ai_model_actions
from catalog.ai_models import repository as ai_model_repository
from catalog.ai_models.attention import Latest, is_failing, is_overdue
from catalog.ai_models.models import AIModel
from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.orgs.org_id import normalise_org_id
from catalog.services.calendar import BusinessCalendar
from catalog.services.models import (
    Lifecycle,
    OwnershipRole,
    OwnershipRoleKind,
    Service,
    service_salesforce_org,
)
from catalog.services.repository import stale_services_query
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.history import RecordVersion
from server.demo.kit import SEED_PRINCIPAL
from server.demo.seed import seed_demo, seed_demo_report
from service_levels.metric_sql import MetricSettings
from service_levels.models import Metric, Objective, SlaEvent, SlaEventKind
from service_levels.objective_answers import objective_answers
from service_levels.objectives import Status
from service_levels.rollups import KpiScope, ScopeFilter, kpi_summary

TABLES = (
    "business_unit",
    "team",
    "person",
    "membership",
    "salesforce_org",
    "service",
    "service_salesforce_org",
    "ownership_role",
    "service_request",
    "service_request_status_change",
    "incident",
    "incident_status_change",
    "hotfix_deployment",
    "sla",
    "objective",
    "measurement",
    "sla_event",
    "ai_model",
    "ai_model_evaluation",
    "backup",
    "restore_drill",
    "notification_channel",
    "record_version",
)


@pytest.fixture
async def seeded(demo_database: str) -> AsyncIterator[AsyncSession]:
    """A session on the demo catalog (seeded once for the tests that only read it)."""
    engine = make_engine(demo_database)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def _row_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            return {
                table: (
                    await connection.execute(text(f"SELECT count(*) FROM {table}"))
                ).scalar_one()
                for table in TABLES
            }
    finally:
        await engine.dispose()


async def test_seeding_twice_creates_nothing_the_second_time(fresh_database: str) -> None:
    first = await seed_demo_report(fresh_database)
    after_first = await _row_counts(fresh_database)

    second = await seed_demo_report(fresh_database)

    assert first.created == first.total
    assert sum(second.created.values()) == 0
    assert second.total == first.total
    assert await _row_counts(fresh_database) == after_first
    assert after_first["business_unit"] == 3
    assert after_first["team"] == 8
    assert after_first["service"] == 40
    assert first.total["service_request"] == after_first["service_request"] == 250
    assert first.total["incident"] == after_first["incident"] == 40
    assert second.summary().endswith("(already loaded; nothing created)")


async def test_summary_is_one_line_naming_what_was_created(fresh_database: str) -> None:
    summary = await seed_demo(fresh_database)

    assert "\n" not in summary
    assert summary.startswith("demo catalog: 3 business units, 8 teams, 26 people,")
    assert "40 services" in summary
    assert summary.endswith("records)")


async def test_every_live_service_has_a_current_product_owner(seeded: AsyncSession) -> None:
    today = date.today()
    current_owner = select(OwnershipRole.service_id).where(
        OwnershipRole.role == OwnershipRoleKind.PRODUCT_OWNER,
        OwnershipRole.effective_from <= today,
        (OwnershipRole.effective_to.is_(None)) | (OwnershipRole.effective_to >= today),
    )
    unowned = await seeded.scalars(
        select(Service.slug).where(
            Service.lifecycle == Lifecycle.LIVE, Service.id.not_in(current_owner)
        )
    )

    assert list(unowned) == []


async def test_one_product_owner_role_has_ended(seeded: AsyncSession) -> None:
    ended = await seeded.scalars(
        select(Service.slug)
        .join(OwnershipRole, OwnershipRole.service_id == Service.id)
        .where(OwnershipRole.effective_to < date.today())
    )

    assert list(ended) == ["case-management"]


async def test_live_services_run_on_salesforce_orgs(seeded: AsyncSession) -> None:
    without_org = await seeded.scalars(
        select(Service.slug).where(
            Service.lifecycle == Lifecycle.LIVE,
            Service.id.not_in(select(service_salesforce_org.c.service_id)),
        )
    )

    assert list(without_org) == []


async def test_some_services_are_overdue_for_review(seeded: AsyncSession) -> None:
    stale = set(
        await seeded.scalars(stale_services_query(utcnow()).with_only_columns(Service.slug))
    )

    assert "revenue-recognition" in stale
    assert 3 <= len(stale) <= 10


async def test_some_services_keep_business_hours(seeded: AsyncSession) -> None:
    calendars = list(
        await seeded.scalars(
            select(Service.business_calendar).where(Service.business_calendar.is_not(None))
        )
    )

    assert len(calendars) == 7
    for calendar in calendars:
        assert calendar is not None
        parsed = BusinessCalendar.from_json(calendar).validate()
        assert parsed.weekly_hours
        assert parsed.holidays


async def test_every_org_id_is_valid_and_in_its_18_character_form(seeded: AsyncSession) -> None:
    orgs = list(await seeded.scalars(select(SalesforceOrg)))

    assert orgs
    for org in orgs:
        assert len(org.org_id) == 18
        assert normalise_org_id(org.org_id) == org.org_id
        assert org.credentials_ref


async def test_sandboxes_and_scratch_orgs_hang_off_a_production_org(
    seeded: AsyncSession,
) -> None:
    orgs = {org.id: org for org in await seeded.scalars(select(SalesforceOrg))}
    kinds = {org.kind for org in orgs.values()}

    assert kinds == set(OrgKind)
    for org in orgs.values():
        if org.kind is OrgKind.PRODUCTION:
            assert org.parent_id is None
            continue
        assert org.parent_id is not None
        assert orgs[org.parent_id].kind is OrgKind.PRODUCTION
        if org.kind is OrgKind.SANDBOX:
            assert org.last_refreshed_at is not None
        else:
            assert org.expires_at is not None
            assert org.expires_at > utcnow()


async def test_history_names_the_seed_as_the_actor(seeded: AsyncSession) -> None:
    actors = await seeded.scalars(select(RecordVersion.actor).distinct())

    assert list(actors) == [SEED_PRINCIPAL.actor]


async def test_the_demo_objectives_are_met_at_risk_and_breached(seeded: AsyncSession) -> None:
    objectives = list(await seeded.scalars(select(Objective.id)))
    answers = await objective_answers(seeded, objectives, utcnow(), MetricSettings())

    statuses = {answer.status for answer in answers.values()}
    assert {Status.MET, Status.AT_RISK, Status.BREACHED} <= statuses
    events = set(await seeded.scalars(select(SlaEvent.kind)))
    assert {SlaEventKind.SLA_BREACHED, SlaEventKind.SLA_AT_RISK} <= events


async def test_the_organisation_summary_pools_every_headline_kpi(seeded: AsyncSession) -> None:
    summary = await kpi_summary(
        seeded, ScopeFilter(KpiScope.ORGANISATION), utcnow(), MetricSettings()
    )

    headline = (
        Metric.DEFECTS_RAISED,
        Metric.MTTR,
        Metric.SATISFACTION,
        Metric.ADOPTION,
        Metric.TIME_TO_MARKET,
        Metric.COST,
        Metric.EFFICIENCY_GAIN,
        Metric.AVAILABILITY,
    )
    for metric in headline:
        assert summary.metrics[metric].value is not None, metric
    assert summary.worst(5)[0].answer.status is Status.BREACHED


async def test_the_ai_models_flag_their_services_one_failing_one_overdue(
    seeded: AsyncSession,
) -> None:
    models = {model.name: model for model in await seeded.scalars(select(AIModel))}
    latest = await ai_model_repository.latest_by_model_ids(seeded, [m.id for m in models.values()])
    now = utcnow()

    def state(name: str) -> tuple[bool, bool]:
        model = models[name]
        found = [Latest(e.kind, e.evaluated_at, e.passed) for e in latest[model.id]]
        overdue = is_overdue(
            status=model.status,
            created_at=model.created_at,
            cadence_days=model.evaluation_cadence_days,
            learns_from_live_data=model.learns_from_live_data,
            latest=found,
            now=now,
        )
        return overdue, is_failing(status=model.status, latest=found)

    assert sorted(models) == ["Lead scoring model", "Support chat intent model"]
    assert state("Lead scoring model") == (False, True)
    assert state("Support chat intent model") == (True, False)
    flagged = await ai_model_actions.models_needing_attention(
        seeded, service_ids=[m.service_id for m in models.values()]
    )
    assert flagged == 2
