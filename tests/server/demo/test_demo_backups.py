"""The demo's backups: Partner Community has no successful restore drill this quarter, so its
RESTRICTED Data Subject Requests service is flagged; Global CRM's consent service is not."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from catalog.backups import actions
from catalog.backups.readiness import DataLossGap
from catalog.services.models import Service
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker


async def test_the_demo_flags_a_restricted_service_without_a_drill_this_quarter(
    demo_database: str,
) -> None:
    engine = make_engine(demo_database)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Service.slug, Service.id).where(
                    Service.slug.in_(("data-subject-requests", "consent-preference-centre"))
                )
            )
            ids: dict[str, uuid.UUID] = dict(rows.all())
            verdicts = await actions.readiness_by_service_ids(
                session, list(ids.values()), now=utcnow()
            )
    finally:
        await engine.dispose()

    flagged, _ = verdicts[ids["data-subject-requests"]]
    assert flagged.gaps == (DataLossGap.NO_RECENT_RESTORE_DRILL,)
    consent, _ = verdicts[ids["consent-preference-centre"]]
    assert consent.ready
