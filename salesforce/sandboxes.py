"""A production org's sandboxes (Tooling API: SandboxInfo, SandboxProcess) and a Dev Hub's
scratch orgs (ScratchOrgInfo): one query per object per org, every page, uncached.

What the `salesforce-sandboxes` job reads; the gateway's deadline, retries and breaker apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from salesforce.deadline import Deadline
from salesforce.errors import error_code
from salesforce.gateway import SalesforceGateway
from salesforce.records import parse_datetime

Json = dict[str, Any]

SANDBOX_INFO = (
    "SELECT Id, SandboxName, LicenseType, Description, SourceId, CreatedDate FROM SandboxInfo"
)
# Every copy process, newest first: a sandbox's latest one says its state now.
SANDBOX_PROCESSES = (
    "SELECT Id, SandboxInfoId, SandboxName, SandboxOrganization, Status, StartDate, EndDate"
    " FROM SandboxProcess ORDER BY StartDate DESC"
)
SCRATCH_ORGS = (
    "SELECT Id, OrgName, SignupUsername, ScratchOrg, Status, ExpirationDate, CreatedDate,"
    " CreatedBy.Username, CreatedBy.Email FROM ScratchOrgInfo WHERE Status != 'Deleted'"
    " ORDER BY ExpirationDate"
)
COMPLETED = "Completed"  # SandboxProcess.Status of a finished copy


@dataclass(frozen=True)
class SandboxRecord:
    salesforce_id: str  # the SandboxInfo id
    name: str
    licence_type: str | None  # DEVELOPER | DEVELOPER_PRO | PARTIAL | FULL
    org_id: str | None  # the sandbox org's own id (15 characters), once copied
    status: str | None  # the latest copy process's Status
    created_at: datetime | None
    last_refreshed_at: datetime | None  # EndDate of the latest completed copy
    source_id: str | None  # SandboxInfo.SourceId: the sandbox it was cloned from
    source_name: str | None


@dataclass(frozen=True)
class ScratchOrgRecord:
    salesforce_id: str  # the ScratchOrgInfo id
    name: str | None
    username: str | None  # SignupUsername: the scratch org's admin user
    org_id: str | None  # ScratchOrg: its own id (15 characters)
    status: str | None
    expires_on: date | None
    created_at: datetime | None
    created_by_username: str | None
    created_by_email: str | None


def _tooling_records(soql: str, sf: Salesforce) -> list[Json]:
    """Every page of a Tooling API query, attributes dropped."""
    result: Any = sf.restful("tooling/query/", params={"q": soql})
    records: list[Json] = list(result["records"])
    while not result["done"]:
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
        records.extend(result["records"])
    return [{k: v for k, v in record.items() if k != "attributes"} for record in records]


def _scratch_org_records(sf: Salesforce) -> list[Json] | None:
    """ScratchOrgInfo rows, or None when the org is no Dev Hub (it does not know the object)."""
    try:
        records: list[Json] = sf.query_all(SCRATCH_ORGS)["records"]
    except SalesforceMalformedRequest as error:
        if error_code(error) == "INVALID_TYPE":
            return None
        raise
    return records


def _sandboxes(infos: list[Json], processes: list[Json]) -> list[SandboxRecord]:
    latest: dict[str, Json] = {}
    completed: dict[str, Json] = {}
    for process in processes:  # newest first
        info_id = process.get("SandboxInfoId") or ""
        latest.setdefault(info_id, process)
        if process.get("Status") == COMPLETED:
            completed.setdefault(info_id, process)
    names = {info["Id"]: info.get("SandboxName") for info in infos}
    found = []
    for info in infos:
        now, done = latest.get(info["Id"], {}), completed.get(info["Id"], {})
        source = info.get("SourceId")
        found.append(
            SandboxRecord(
                salesforce_id=info["Id"],
                name=info.get("SandboxName") or "",
                licence_type=info.get("LicenseType"),
                org_id=done.get("SandboxOrganization") or now.get("SandboxOrganization"),
                status=now.get("Status"),
                created_at=parse_datetime(info.get("CreatedDate")),
                last_refreshed_at=parse_datetime(done.get("EndDate")),
                source_id=source,
                source_name=names.get(source) if source else None,
            )
        )
    return sorted(found, key=lambda sandbox: sandbox.name.casefold())


def _scratch_org(record: Json) -> ScratchOrgRecord:
    creator = record.get("CreatedBy") or {}
    expires = record.get("ExpirationDate")
    return ScratchOrgRecord(
        salesforce_id=record["Id"],
        name=record.get("OrgName"),
        username=record.get("SignupUsername"),
        org_id=record.get("ScratchOrg"),
        status=record.get("Status"),
        expires_on=date.fromisoformat(expires) if isinstance(expires, str) else None,
        created_at=parse_datetime(record.get("CreatedDate")),
        created_by_username=creator.get("Username"),
        created_by_email=creator.get("Email"),
    )


async def read_sandboxes(
    gateway: SalesforceGateway, ref: str, *, deadline: Deadline
) -> list[SandboxRecord]:
    """The org's sandboxes, by name: two Tooling API queries, one after the other (the second
    is never sent once the first failed)."""
    org = gateway.orgs[ref]
    infos = await org.call(partial(_tooling_records, SANDBOX_INFO), deadline=deadline)
    processes = await org.call(partial(_tooling_records, SANDBOX_PROCESSES), deadline=deadline)
    return _sandboxes(infos, processes)


async def read_scratch_orgs(
    gateway: SalesforceGateway, ref: str, *, deadline: Deadline
) -> list[ScratchOrgRecord] | None:
    """The Dev Hub's scratch orgs not deleted, soonest to expire first; None for no Dev Hub."""
    records = await gateway.orgs[ref].call(_scratch_org_records, deadline=deadline)
    return None if records is None else [_scratch_org(record) for record in records]
