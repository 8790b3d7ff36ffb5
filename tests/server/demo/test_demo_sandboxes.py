"""The demo's sandboxes and scratch orgs: served by the demo fake, snapshotted on the first
run of the `salesforce-sandboxes` job, a sandbox missing a hot fix listed on the fix and
scratch orgs expiring this week listed on their makers' team."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from catalog.sandboxes.repository import expiring_scratch_orgs_by_team_ids
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from identity.models import Team
from server.demo import seed_demo
from server.demo.salesforce import start_demo_salesforce
from server.jobs import JOBS, JobContext
from work.backlog.models import BacklogItem, BacklogItemType
from work.releases.sandbox_drift import sandboxes_missing_fix_by_item_ids


async def test_the_first_job_run_fills_the_demo_sandboxes(
    fresh_database: str, tmp_path: Path
) -> None:
    await seed_demo(fresh_database)
    demo = start_demo_salesforce(
        load_settings(_env_file=None, data_dir=tmp_path, database_url=fresh_database)
    )
    assert demo is not None
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    try:
        summary = await JOBS["salesforce-sandboxes"].run(
            JobContext(demo.settings, engine, sessionmaker)
        )
        async with sessionmaker() as session:
            fixes = {
                item.title: item.id
                for item in await session.scalars(
                    select(BacklogItem).where(
                        BacklogItem.type.in_(
                            [BacklogItemType.HOTFIX, BacklogItemType.VULNERABILITY]
                        )
                    )
                )
            }
            missing = await sandboxes_missing_fix_by_item_ids(session, list(fixes.values()))
            team = await session.scalar(select(Team).where(Team.slug == "revenue-operations"))
            assert team is not None
            today = utcnow().date()
            expiring = await expiring_scratch_orgs_by_team_ids(
                session, [team.id], today=today, until=today + timedelta(days=7)
            )
    finally:
        await engine.dispose()
        demo.fake.stop()

    assert summary.startswith("sandboxes of 3 of 3 production orgs synced (7 sandboxes, 4 scratch")
    by_title = {title: [s.name for s in missing[item_id]] for title, item_id in fixes.items()}
    saml = by_title["Pin the full SAML signing certificate chain in every org"]
    assert "training" in saml
    assert "uat" not in saml  # refreshed after the fix reached production
    assert by_title["Round tiered discounts per quote line"] == ["cpqdev"]
    assert [scratch.name for scratch in expiring[team.id]] == ["Discount rules spike"]
