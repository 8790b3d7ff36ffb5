"""Ideas both ways, through the gateway's orgs (breaker, retries, deadline): the Ideas
changed since a moment with their Votes, and the write-back of a status and a comment."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import cast

from simple_salesforce.api import Salesforce, SFType

from salesforce import idea_queries, queries
from salesforce.deadline import Deadline
from salesforce.gateway import SalesforceGateway, fetch_records
from salesforce.idea_records import SyncedIdea, VoteRecord

# A job has no request waiting on it: each call may take this long, retries included.
JOB_CALL_TIMEOUT_S = 60.0


def _update_status(idea_id: str, status: str, sf: Salesforce) -> None:
    ideas = cast(SFType, getattr(sf, "Idea"))  # noqa: B009  (simple-salesforce's dynamic attribute)
    ideas.update(idea_id, {"Status": status})


def _create_comment(idea_id: str, body: str, sf: Salesforce) -> str:
    comments = cast(SFType, getattr(sf, "IdeaComment"))  # noqa: B009
    created = comments.create({"IdeaId": idea_id, "CommentBody": body})
    return str(created["id"])


class SalesforceIdeas:
    def __init__(self, gateway: SalesforceGateway) -> None:
        self.gateway = gateway

    def _deadline(self, deadline: Deadline | None) -> Deadline:
        return deadline or Deadline.after(JOB_CALL_TIMEOUT_S)

    async def changed_ideas(
        self, ref: str, *, since: datetime | None, deadline: Deadline | None = None
    ) -> list[SyncedIdea]:
        """Ideas naming a service, modified since `since`, oldest change first (uncached)."""
        org = self.gateway.orgs[ref]
        field = org.config.idea_service_field
        soql = idea_queries.changed_ideas(field, since)
        records = await org.call(partial(fetch_records, soql), deadline=self._deadline(deadline))
        return [SyncedIdea.from_json(record, field) for record in records]

    async def votes(
        self, ref: str, idea_ids: Sequence[str], *, deadline: Deadline | None = None
    ) -> list[VoteRecord]:
        """Every Vote on these Ideas with its voter's federation id and email, one query
        per chunk of ids."""
        org, deadline = self.gateway.orgs[ref], self._deadline(deadline)
        pages = await asyncio.gather(
            *(
                org.call(partial(fetch_records, idea_queries.idea_votes(chunk)), deadline=deadline)
                for chunk in queries.chunks(sorted(set(idea_ids)))
            )
        )
        return [VoteRecord.from_json(record) for page in pages for record in page]

    async def comment_bodies(
        self, ref: str, idea_ids: Sequence[str], *, deadline: Deadline | None = None
    ) -> dict[str, list[str]]:
        """The comments already on these Ideas, by Idea id."""
        org, deadline = self.gateway.orgs[ref], self._deadline(deadline)
        pages = await asyncio.gather(
            *(
                org.call(
                    partial(fetch_records, idea_queries.idea_comments(chunk)), deadline=deadline
                )
                for chunk in queries.chunks(sorted(set(idea_ids)))
            )
        )
        found: dict[str, list[str]] = {idea_id: [] for idea_id in idea_ids}
        for record in (record for page in pages for record in page):
            found.setdefault(record["IdeaId"], []).append(record.get("CommentBody") or "")
        return found

    async def set_status(
        self, ref: str, idea_id: str, status: str, *, deadline: Deadline | None = None
    ) -> None:
        await self.gateway.orgs[ref].call(
            partial(_update_status, idea_id, status), deadline=self._deadline(deadline)
        )

    async def post_comment(
        self, ref: str, idea_id: str, body: str, *, deadline: Deadline | None = None
    ) -> str:
        """A new IdeaComment; never retried within the call, since a lost answer may hide a
        comment made (the caller looks for it before posting again)."""
        return await self.gateway.orgs[ref].call(
            partial(_create_comment, idea_id, body),
            deadline=self._deadline(deadline),
            idempotent=False,
        )
