"""Backlog items as GraphQL sees them (grown by the work-management capability)."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.feedback.enums  # noqa: F401  (registers the enums first)
from catalog.work import models
from graphql_schema.history import Versioned
from graphql_schema.node import Node, global_id, register_node

SOURCE_TYPES = {"FEEDBACK": "Feedback", "REQUEST": "ServiceRequest", "INCIDENT": "Incident"}


@strawberry.type(description="An item on a team's backlog.")
class BacklogItem(Node, Versioned):
    id: strawberry.ID
    title: str
    description: str
    type: models.BacklogItemType
    status: models.BacklogItemStatus
    rank: float
    estimate: int | None
    needs_design_review: bool
    released_at: datetime | None
    source_type: str | None = strawberry.field(
        description="What the item answers: FEEDBACK, REQUEST or INCIDENT."
    )
    source_id: strawberry.ID | None
    version: int
    created_at: datetime
    model: strawberry.Private[models.BacklogItem]

    @classmethod
    def from_model(cls, item: models.BacklogItem) -> BacklogItem:
        source_type = SOURCE_TYPES.get(item.source_type or "")
        source = global_id(source_type, item.source_id) if source_type and item.source_id else None
        return cls(
            id=global_id("BacklogItem", item.id),
            title=item.title,
            description=item.description,
            type=item.type,
            status=item.status,
            rank=item.rank,
            estimate=item.estimate,
            needs_design_review=item.needs_design_review,
            released_at=item.released_at,
            source_type=item.source_type,
            source_id=source,
            version=item.version,
            created_at=item.created_at,
            model=item,
        )


register_node("BacklogItem", models.BacklogItem, BacklogItem.from_model)
