"""GraphQL types of feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import FromClause

import graphql_schema.feedback.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from feedback import models
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.identity.types import Person
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.work.backlog.types import BacklogItem
from identity.models import Person as PersonModel
from work.backlog.models import BacklogItem as BacklogItemModel


@strawberry.type(description="One move of a feedback item through triage.")
class FeedbackStatusChange:
    from_status: models.FeedbackStatus | None
    to_status: models.FeedbackStatus
    at: datetime
    actor: str | None
    note: str | None


@strawberry.type(
    description="What someone told a service's team: an idea, a bug, praise, a question."
)
class Feedback(Node):
    id: strawberry.ID
    kind: models.FeedbackKind
    title: str
    body: str
    rating: int | None
    channel: models.FeedbackChannel
    status: models.FeedbackStatus
    vote_count: int
    voter_team_count: int
    external_vote_count: int = strawberry.field(
        description="Promotes of its Salesforce Idea by users matching no person here;"
        " they weigh in the score at half a person's vote."
    )
    score: float | None = strawberry.field(description="The priority score; null for PRAISE.")
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Feedback]

    @classmethod
    def from_model(cls, feedback: models.Feedback) -> Feedback:
        return cls(
            id=global_id("Feedback", feedback.id),
            kind=feedback.kind,
            title=feedback.title,
            body=feedback.body,
            rating=feedback.rating,
            channel=feedback.channel,
            status=feedback.status,
            vote_count=feedback.vote_count,
            voter_team_count=feedback.voter_team_count,
            external_vote_count=feedback.external_vote_count,
            score=feedback.score,
            version=feedback.version,
            created_at=feedback.created_at,
            updated_at=feedback.updated_at,
            model=feedback,
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)

    @strawberry.field(description="Null for anonymous feedback.")
    def author(self) -> Person | None:
        author = self.model.author
        return Person.from_model(author) if author is not None else None

    @strawberry.field(
        description="Anonymous authors' address: for the owner team and ADMIN; reading is audited."
    )
    def contact_email(self, info: Info) -> str | None:
        principal = info.context.principal
        if principal is None or self.model.contact_email is None:
            return None
        if not (principal.is_admin or self.model.service.owner_team_id in principal.team_ids):
            return None
        info.context.note_sensitive_read("Feedback.contactEmail", self.model.id)
        return self.model.contact_email

    @strawberry.field(description="The surviving item, when this one was merged as a duplicate.")
    def merged_into(
        self,
    ) -> Annotated[Feedback, strawberry.lazy("graphql_schema.feedback.types")] | None:
        merged = self.model.merged_into
        return Feedback.from_model(merged) if merged is not None else None

    @strawberry.field(description="The backlog item it was promoted to.")
    def backlog_item(self) -> BacklogItem | None:
        item = self.model.backlog_item
        return BacklogItem.from_model(item) if item is not None else None

    @strawberry.field(description="Whether the caller voted for it.")
    async def viewer_has_voted(self, info: Info) -> bool:
        principal = info.context.principal
        if principal is None or principal.person_id is None:
            return False
        return bool(await info.context.loaders.viewer_has_voted.load(self.model.id))

    @strawberry.field(description="Every move through triage, oldest first.")
    async def status_history(self, info: Info) -> list[FeedbackStatusChange]:
        changes = await info.context.loaders.feedback_status_history.load(self.model.id)
        return [
            FeedbackStatusChange(
                from_status=change.from_status,
                to_status=change.to_status,
                at=change.at,
                actor=change.actor,
                note=change.note,
            )
            for change in changes or []
        ]


register_relations(
    "Feedback",
    {
        "service": ([models.Feedback.service], "Service"),
        "contactEmail": ([models.Feedback.service], "Service"),
        "author": ([models.Feedback.author], "Person"),
        "mergedInto": ([models.Feedback.merged_into], "Feedback"),
        "backlogItem": ([models.Feedback.backlog_item], "BacklogItem"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.
# `contactEmail` (for the owner team and ADMIN, and audited) and `viewerHasVoted` (the
# caller's) are left to the resolvers: they depend on who asks.


def _service_of(feedback: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == feedback.c.service_id)


def _author_of(feedback: FromClause, _: Parameters) -> Rows:
    person = PersonModel.__table__.alias()
    return Rows(person, person.c.id == feedback.c.author_id)


def _merged_into(feedback: FromClause, _: Parameters) -> Rows:
    survivor = models.Feedback.__table__.alias()
    return Rows(survivor, survivor.c.id == feedback.c.merged_into_id)


def _backlog_item_of(feedback: FromClause, _: Parameters) -> Rows:
    item = BacklogItemModel.__table__.alias()
    return Rows(item, item.c.id == feedback.c.backlog_item_id)


def _status_history(feedback: FromClause, _: Parameters) -> Rows:
    """`repository.status_history`: every move, oldest first."""
    change = models.FeedbackStatusChange.__table__.alias()
    return Rows(change, change.c.feedback_id == feedback.c.id, order_by=(change.c.at, change.c.id))


declare_sql(
    "Feedback",
    {
        "id": GlobalId("Feedback"),
        "kind": Column("kind"),
        "title": Column("title"),
        "body": Column("body"),
        "rating": Column("rating"),
        "channel": Column("channel"),
        "status": Column("status"),
        "voteCount": Column("vote_count"),
        "voterTeamCount": Column("voter_team_count"),
        "externalVoteCount": Column("external_vote_count"),
        "score": Column("score"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "service": Relation("Service", _service_of),
        "author": Relation("Person", _author_of),
        "mergedInto": Relation("Feedback", _merged_into),
        "backlogItem": Relation("BacklogItem", _backlog_item_of),
        "statusHistory": Relation("FeedbackStatusChange", _status_history, many=True),
    },
)
declare_sql(
    "FeedbackStatusChange",
    {
        "fromStatus": Column("from_status"),
        "toStatus": Column("to_status"),
        "at": Column("at"),
        "actor": Column("actor"),
        "note": Column("note"),
    },
)
register_node("Feedback", models.Feedback, Feedback.from_model)
