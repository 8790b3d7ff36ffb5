"""The SOQL of the Ideas sync and write-back. Field names come from validated settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from salesforce.queries import in_list

SYNCED_IDEA_FIELDS = "Id, Title, Body, Status, VoteTotal, VoteScore, CreatedDate, LastModifiedDate"


def soql_datetime(value: datetime) -> str:
    """A SOQL dateTime literal (whole seconds, UTC, unquoted)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def changed_ideas(field: str, since: datetime | None) -> str:
    """Ideas naming a service modified at or after `since` (every one without it).

    At, not after: SOQL literals drop the milliseconds, so the boundary second is read
    again rather than missed; reading an Idea twice changes nothing."""
    changed = f" AND LastModifiedDate >= {soql_datetime(since)}" if since else ""
    return (
        f"SELECT {SYNCED_IDEA_FIELDS}, {field} FROM Idea"
        f" WHERE {field} != null{changed} ORDER BY LastModifiedDate, Id"
    )


def idea_votes(idea_ids: Sequence[str]) -> str:
    # Salesforce refuses a Vote query not narrowed by Parent.Type, ParentId = or Id.
    return (
        "SELECT Id, ParentId, Type, CreatedById, CreatedBy.FederationIdentifier,"
        " CreatedBy.Email FROM Vote"
        f" WHERE Parent.Type = 'Idea' AND ParentId IN {in_list(idea_ids)}"
    )


def idea_comments(idea_ids: Sequence[str]) -> str:
    return f"SELECT Id, IdeaId, CommentBody FROM IdeaComment WHERE IdeaId IN {in_list(idea_ids)}"
