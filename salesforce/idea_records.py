"""What the Ideas sync reads and writes: changed Ideas with their totals, their Votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salesforce.records import IdeaRecord, parse_datetime


@dataclass(frozen=True)
class SyncedIdea:
    idea: IdeaRecord
    vote_score: float
    last_modified_at: datetime | None

    @classmethod
    def from_json(cls, record: dict[str, Any], service_field: str) -> SyncedIdea:
        return cls(
            idea=IdeaRecord.from_json(record, service_field),
            vote_score=float(record.get("VoteScore") or 0.0),
            last_modified_at=parse_datetime(record.get("LastModifiedDate")),
        )


@dataclass(frozen=True)
class VoteRecord:
    """One user's promote (`Up`) or demote (`Down`) of an Idea, with who the user is."""

    id: str
    idea_id: str
    up: bool
    user_id: str | None
    federation_id: str | None
    email: str | None

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> VoteRecord:
        user = record.get("CreatedBy") or {}
        return cls(
            id=record["Id"],
            idea_id=record["ParentId"],
            up=record.get("Type") == "Up",
            user_id=record.get("CreatedById"),
            federation_id=user.get("FederationIdentifier"),
            email=user.get("Email"),
        )
