"""The sync: each connected production org's sandboxes and (on a Dev Hub) scratch orgs read
from Salesforce, and its snapshot rows replaced with what was read.

Idempotent: a second run with nothing changed in Salesforce leaves the same rows. An org
that fails keeps its last snapshot, is named in the report, and the others are synced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs import repository as orgs_repository
from catalog.orgs.models import SalesforceOrg
from catalog.orgs.org_id import InvalidOrgId, normalise_org_id
from catalog.sandboxes import repository
from catalog.sandboxes.matching import RegisteredOrgs
from salesforce.api_budget import check_api_budget
from salesforce.errors import SalesforceError
from salesforce.gateway import SalesforceGateway
from salesforce.sandboxes import (
    SandboxRecord,
    ScratchOrgRecord,
    read_sandboxes,
    read_scratch_orgs,
)

ACTOR = "salesforce-sandboxes"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrgReading:
    sandboxes: list[SandboxRecord]
    scratch_orgs: list[ScratchOrgRecord] | None  # None: the org is no Dev Hub


@dataclass
class SyncReport:
    orgs: dict[str, str] = field(default_factory=dict)  # org name -> what happened
    failed: list[str] = field(default_factory=list)
    sandboxes: int = 0
    scratch_orgs: int = 0

    def summary(self) -> str:
        synced = len(self.orgs) - len(self.failed)
        head = (
            f"sandboxes of {synced} of {len(self.orgs)} production orgs synced"
            f" ({self.sandboxes} sandboxes, {self.scratch_orgs} scratch orgs)"
        )
        return "; ".join([head, *(f"{name}: {text}" for name, text in self.orgs.items())])


def full_org_id(value: str | None) -> str | None:
    """The 18-character form of an org id Salesforce gave in 15, or None if it is no org id."""
    try:
        return normalise_org_id(value) if value else None
    except InvalidOrgId:
        return None


async def _read(
    gateway: SalesforceGateway, ref: str, api_share: float
) -> OrgReading | SalesforceError:
    # One read after the other: a failed one leaves nothing running behind the job.
    try:
        deadline = gateway.deadline()
        check_api_budget(gateway, ref, api_share)
        sandboxes = await read_sandboxes(gateway, ref, deadline=deadline)
        check_api_budget(gateway, ref, api_share)
        scratch_orgs = await read_scratch_orgs(gateway, ref, deadline=deadline)
    except SalesforceError as error:
        logger.warning("sandbox sync: %s", error)
        return error
    return OrgReading(sandboxes, scratch_orgs)


def _sandbox_rows(
    org: SalesforceOrg, found: list[SandboxRecord], registered: RegisteredOrgs, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for sandbox in found:
        org_id = full_org_id(sandbox.org_id)
        match = registered.sandbox(org_id, parent_id=org.id, name=sandbox.name)
        rows.append(
            {
                "salesforce_id": sandbox.salesforce_id,
                "name": sandbox.name,
                "licence_type": sandbox.licence_type,
                "sandbox_org_id": org_id,
                "registered_org_id": match.id if match else None,
                "status": sandbox.status,
                "sandbox_created_at": sandbox.created_at,
                "last_refreshed_at": sandbox.last_refreshed_at,
                "source_name": sandbox.source_name,
                "synced_at": now,
            }
        )
    return rows


def _scratch_rows(
    found: list[ScratchOrgRecord], registered: RegisteredOrgs, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for scratch in found:
        org_id = full_org_id(scratch.org_id)
        match = registered.by_org_id(org_id)
        rows.append(
            {
                "salesforce_id": scratch.salesforce_id,
                "name": scratch.name,
                "username": scratch.username,
                "scratch_org_id": org_id,
                "registered_org_id": match.id if match else None,
                "status": scratch.status,
                "expires_on": scratch.expires_on,
                "scratch_created_at": scratch.created_at,
                "created_by_username": scratch.created_by_username,
                "created_by_email": scratch.created_by_email,
                "synced_at": now,
            }
        )
    return rows


async def _registered(
    session: AsyncSession, orgs: Sequence[SalesforceOrg], readings: Sequence[OrgReading]
) -> RegisteredOrgs:
    org_ids = [
        org_id
        for reading in readings
        for value in [
            *(sandbox.org_id for sandbox in reading.sandboxes),
            *(scratch.org_id for scratch in reading.scratch_orgs or []),
        ]
        if (org_id := full_org_id(value)) is not None
    ]
    found = await repository.orgs_to_match(
        session, org_ids=org_ids, parent_ids=[org.id for org in orgs]
    )
    return RegisteredOrgs(found)


async def sync_sandboxes(
    session: AsyncSession, *, gateway: SalesforceGateway, now: datetime, api_share: float = 1.0
) -> SyncReport:
    """Read every connected production org at once; replace the snapshot of each that answered
    in full. An org whose API calls reach `api_share` of its daily limit is read no further."""
    report = SyncReport()
    orgs = await orgs_repository.connected_production_orgs(session, gateway.orgs)
    answers = await asyncio.gather(
        *(_read(gateway, org.credentials_ref or "", api_share) for org in orgs)
    )
    answered: list[tuple[SalesforceOrg, OrgReading]] = []
    for org, answer in zip(orgs, answers, strict=True):
        if isinstance(answer, SalesforceError):
            report.orgs[org.name] = f"{answer} (last snapshot kept)"
            report.failed.append(org.name)
        else:
            answered.append((org, answer))
    registered = await _registered(session, orgs, [reading for _, reading in answered])
    for org, reading in answered:
        await repository.replace_sandboxes(
            session, org.id, _sandbox_rows(org, reading.sandboxes, registered, now)
        )
        report.sandboxes += len(reading.sandboxes)
        text = f"{len(reading.sandboxes)} sandboxes"
        if reading.scratch_orgs is not None:
            rows = _scratch_rows(reading.scratch_orgs, registered, now)
            await repository.replace_scratch_orgs(session, org.id, rows)
            report.scratch_orgs += len(rows)
            text += f", {len(rows)} scratch orgs"
        report.orgs[org.name] = text
    report.orgs = {org.name: report.orgs[org.name] for org in orgs}  # in the orgs' order
    return report
