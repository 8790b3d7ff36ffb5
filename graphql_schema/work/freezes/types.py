"""Freeze windows as GraphQL sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import FromClause

import graphql_schema.work.freezes.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from identity import models as identity_models
from work.releases import models


@strawberry.type(
    description="A stretch of time in which releases in scope do not ship (hot fixes do; an"
    " ADMIN may override with a reason): org-wide, for a service, or for a team."
)
class FreezeWindow(Node, Versioned):
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime = strawberry.field(description="Exclusive: shipping resumes at this moment.")
    reason: str
    scope: models.FreezeScope
    created_by: str | None = strawberry.field(
        description="Who made it: `person:<id>`, `client:<id>@<issuer>` or a job."
    )
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.FreezeWindow]

    @classmethod
    def from_model(cls, window: models.FreezeWindow) -> FreezeWindow:
        return cls(
            id=global_id("FreezeWindow", window.id),
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            reason=window.reason,
            scope=window.scope,
            created_by=window.created_by,
            version=window.version,
            created_at=window.created_at,
            updated_at=window.updated_at,
            model=window,
        )

    @strawberry.field(description="SERVICE windows: the service frozen.")
    def service(self) -> Service | None:
        service = self.model.service
        return Service.from_model(service) if service is not None else None

    @strawberry.field(description="TEAM windows: the team whose releases and services freeze.")
    def team(self) -> Team | None:
        team = self.model.team
        return Team.from_model(team) if team is not None else None


register_relations(
    "FreezeWindow",
    {
        "service": ([models.FreezeWindow.service], "Service"),
        "team": ([models.FreezeWindow.team], "Team"),
    },
)


def _service(window: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == window.c.service_id)


def _team(window: FromClause, _: Parameters) -> Rows:
    team = identity_models.Team.__table__.alias()
    return Rows(team, team.c.id == window.c.team_id)


declare_sql(
    "FreezeWindow",
    {
        "id": GlobalId("FreezeWindow"),
        "startsAt": Column("starts_at"),
        "endsAt": Column("ends_at"),
        "reason": Column("reason"),
        "scope": Column("scope"),
        "createdBy": Column("created_by"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "service": Relation("Service", _service),
        "team": Relation("Team", _team),
    },
)
register_node("FreezeWindow", models.FreezeWindow, FreezeWindow.from_model)
