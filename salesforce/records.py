"""What the gateway returns: plain values read from Salesforce records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def parse_datetime(value: Any) -> datetime | None:
    """Salesforce's `2026-01-31T09:00:00.000+0000`."""
    if not isinstance(value, str) or not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


@dataclass(frozen=True)
class CaseRecord:
    id: str
    case_number: str | None
    subject: str | None
    status: str | None
    priority: str | None
    created_at: datetime | None
    url: str

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> CaseRecord:
        return cls(
            id=record["Id"],
            case_number=record.get("CaseNumber"),
            subject=record.get("Subject"),
            status=record.get("Status"),
            priority=record.get("Priority"),
            created_at=parse_datetime(record.get("CreatedDate")),
            url=record["_url"],
        )


@dataclass(frozen=True)
class IdeaRecord:
    id: str
    title: str
    body: str | None
    status: str | None
    votes: int
    created_at: datetime | None
    service_key: str | None
    url: str

    @classmethod
    def from_json(cls, record: dict[str, Any], service_field: str) -> IdeaRecord:
        return cls(
            id=record["Id"],
            title=record.get("Title") or "",
            body=record.get("Body"),
            status=record.get("Status"),
            votes=int(record.get("VoteTotal") or 0),
            created_at=parse_datetime(record.get("CreatedDate")),
            service_key=record.get(service_field),
            url=record["_url"],
        )


@dataclass(frozen=True)
class OrgLimit:
    name: str
    max: int
    remaining: int


@dataclass(frozen=True)
class Adoption:
    active_users: int  # active users who logged in during the last 30 days
    licensed_users: int  # licences in use, Chatter-only licences left out
    logins_last_30_days: int


@dataclass(frozen=True)
class CaseDraft:
    """The escalation Case: what we know of the request it stands for."""

    subject: str
    description: str
    service_key: str | None = None
    priority: str = "Medium"


@dataclass(frozen=True)
class EscalatedCase:
    org_id: str
    id: str
    case_number: str | None
    created: bool  # false when a retry found the Case an earlier attempt made
    url: str
