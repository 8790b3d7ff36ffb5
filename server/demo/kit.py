"""What the demo's parts share: the seed ADMIN they write as, the tally they report each record
to, ids by slug, and the moves several parts make as the seed (a backlog item moved, a record
back-dated, a release shipped, a hot fix deployed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from catalog.orgs.models import SalesforceOrg
from catalog.services.models import Service
from identity.models import Team
from identity.principal import Principal, Role
from work.backlog import actions as backlog
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.incidents.models import Incident
from work.releases import actions as releases
from work.releases import hotfix_actions

SEED_PRINCIPAL = Principal(
    subject="seed", issuer="urn:service-catalog:seed", granted_roles=frozenset({Role.ADMIN})
)


class Tally(Protocol):
    def __call__(self, kind: str, *, created: bool) -> None: ...


def ignore(kind: str, *, created: bool) -> None:
    """A tally that hears nothing (a part seeded on its own, in a test)."""


async def ids_by_slug(
    session: AsyncSession, model: type[Service] | type[Team]
) -> dict[str, uuid.UUID]:
    rows = await session.execute(select(model.slug, model.id))
    return {row.slug: row.id for row in rows}


async def known_titles(
    session: AsyncSession, column: InstrumentedAttribute[str], titles: Iterable[str]
) -> set[str]:
    """Which of these titles the catalog has already: a second run knows its records by them."""
    return set(await session.scalars(select(column).where(column.in_(list(titles)))))


async def move_item(session: AsyncSession, item_id: uuid.UUID, to: BacklogItemStatus) -> None:
    """Move a backlog item, as the seed."""
    await backlog.transition_item(
        session, principal=SEED_PRINCIPAL, item_id=item_id, version=None, to=to
    )


async def backdate(
    session: AsyncSession,
    model: type[BacklogItem] | type[Incident],
    record_id: uuid.UUID,
    at: datetime,
) -> None:
    """Created at `at`, as a live record would have been (history ignores `created_at`)."""
    await session.execute(update(model).where(model.id == record_id).values(created_at=at))


async def ship(session: AsyncSession, release_id: uuid.UUID) -> None:
    """Start and ship a planned release, as the seed."""
    for step in (releases.start_release, releases.ship_release):
        await step(session, principal=SEED_PRINCIPAL, release_id=release_id, version=None)


async def deploy_hotfix(
    session: AsyncSession, *, item_id: uuid.UUID, org_ref: str, at: datetime
) -> None:
    """Record that a built hot fix reached the demo org with this credentials reference."""
    org_id = await session.scalar(
        select(SalesforceOrg.id).where(SalesforceOrg.credentials_ref == org_ref)
    )
    assert org_id is not None, f"the demo has no org {org_ref!r}"
    await hotfix_actions.record_deployment(
        session, principal=SEED_PRINCIPAL, item_id=item_id, org_id=org_id, deployed_at=at
    )
