"""Reconciliation: an org's users and licences, as it answered, stored with who each user is.

Idempotent: a run stores what the org says now, so running it again changes nothing the
org did not change. An org that fails keeps its last snapshot (and its due mark).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users import repository
from catalog.org_users.matching import lookup_values, match_users
from catalog.orgs.models import SalesforceOrg
from salesforce.deadline import Deadline
from salesforce.errors import SalesforceError
from salesforce.users import OrgDirectory, OrgUserRecord

logger = logging.getLogger(__name__)


class DirectorySource(Protocol):
    """What reconciliation needs of the Salesforce gateway."""

    async def org_directory(
        self, ref: str, *, deadline: Deadline | None = None
    ) -> OrgDirectory: ...


@dataclass
class ReconciliationReport:
    orgs: dict[str, str] = field(default_factory=dict)  # org name -> what happened
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.orgs:
            return "no org to reconcile"
        return "; ".join(f"{name}: {text}" for name, text in self.orgs.items())


def user_row(user: OrgUserRecord, person_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "salesforce_user_id": user.id,
        "username": user.username[:80],
        "federation_id": user.federation_id,
        "email": user.email,
        "is_active": user.is_active,
        "is_frozen": user.is_frozen,
        "profile_name": user.profile,
        "licence_name": user.licence,
        "last_login_at": user.last_login_at,
        "person_id": person_id,
    }


async def matched_rows(
    session: AsyncSession, users: Sequence[OrgUserRecord]
) -> list[dict[str, Any]]:
    """The users as rows, each with the person it is (one statement for all of them)."""
    subjects, emails = lookup_values(users)
    people = await repository.people_named_by(session, subjects, emails)
    matches = match_users(users, people)
    return [user_row(user, matches.get(user.id)) for user in users]


async def store_directory(
    session: AsyncSession, org: SalesforceOrg, directory: OrgDirectory, now: datetime
) -> None:
    await repository.upsert_users(
        session, org.id, await matched_rows(session, directory.users), now
    )
    await repository.remove_users_synced_before(session, org.id, now)
    # Names are unique in an org; a repeat would fail the upsert, so the first one counts.
    licences = {
        item.name[:100]: {"name": item.name[:100], "total": item.total, "assigned": item.assigned}
        for item in reversed(directory.licences)
    }
    await repository.replace_licences(session, org.id, list(licences.values()), now)
    await repository.record_sync(session, org.id, started=now, error=None)


async def _read(source: DirectorySource, ref: str) -> OrgDirectory | SalesforceError:
    try:
        return await source.org_directory(ref)
    except SalesforceError as error:
        logger.warning("salesforce-users: %s", error)
        return error


async def reconcile_orgs(
    session: AsyncSession,
    *,
    source: DirectorySource,
    refs: Sequence[str],
    only_due: bool,
    now: datetime,
) -> ReconciliationReport:
    """Read every org at once (one query per object each), then store each answer."""
    report = ReconciliationReport()
    orgs = await repository.orgs_to_reconcile(session, refs, only_due=only_due)
    answers = await asyncio.gather(*(_read(source, org.credentials_ref or "") for org in orgs))
    for org, answer in zip(orgs, answers, strict=True):
        if isinstance(answer, SalesforceError):
            await repository.record_sync(session, org.id, started=now, error=str(answer)[:500])
            report.orgs[org.name], report.failed = str(answer), [*report.failed, org.name]
            continue
        await store_directory(session, org, answer, now)
        report.orgs[org.name] = f"{len(answer.users)} active users"
    return report
