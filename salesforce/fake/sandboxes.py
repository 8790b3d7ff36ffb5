"""Sandboxes and scratch orgs in a fake org, as Salesforce records them: a SandboxInfo per
sandbox with a SandboxProcess per copy (creation, then each refresh), a ScratchOrgInfo per
scratch org a Dev Hub signed up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from salesforce.fake.org import FakeOrg, Record

COPY_TIME = timedelta(hours=3)


def add_sandbox(
    org: FakeOrg,
    name: str,
    *,
    licence: str,
    copies: Sequence[datetime],
    sandbox_org_id: str | None = None,
    source: Record | None = None,
    in_progress: datetime | None = None,
) -> Record:
    """A sandbox made at `copies[0]` and refreshed at each later one (each copy ending
    `COPY_TIME` after it starts); `in_progress`: a refresh started then, still running."""
    info = org.add(
        "SandboxInfo",
        SandboxName=name,
        LicenseType=licence,
        SourceId=source["Id"] if source else None,
        CreatedDate=copies[0] if copies else in_progress,
        LastModifiedDate=max([*copies, *([in_progress] if in_progress else [])]),
    )
    common: dict[str, Any] = {
        "SandboxInfoId": info["Id"],
        "SandboxName": name,
        "LicenseType": licence,
        "SandboxOrganization": sandbox_org_id[:15] if sandbox_org_id else None,
        "SourceId": info["SourceId"],
    }
    for started in copies:
        org.add(
            "SandboxProcess",
            **common,
            Status="Completed",
            StartDate=started,
            EndDate=started + COPY_TIME,
            CopyProgress=100,
        )
    if in_progress is not None:
        org.add("SandboxProcess", **common, Status="Processing", StartDate=in_progress,
                CopyProgress=40)  # fmt: skip
    return info


def add_scratch_org(
    org: FakeOrg,
    name: str,
    *,
    created: datetime,
    expires_on: date,
    created_by: Record,
    scratch_org_id: str | None = None,
    status: str = "Active",
) -> Record:
    """A scratch org the Dev Hub `org` signed up for the user `created_by`."""
    return org.add(
        "ScratchOrgInfo",
        OrgName=name,
        SignupUsername=f"test-{name.lower().replace(' ', '-')}@example.com",
        ScratchOrg=scratch_org_id[:15] if scratch_org_id else None,
        Edition="Developer",
        Status=status,
        ExpirationDate=expires_on,
        CreatedDate=created,
        CreatedById=created_by["Id"],
    )
