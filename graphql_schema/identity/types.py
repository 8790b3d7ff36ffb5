"""GraphQL types of the organisation, and the audit log's events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import strawberry
from sqlalchemy import FromClause
from strawberry.scalars import JSON

import graphql_schema.identity.enums  # noqa: F401  (registers the enums first)
from graphql_schema.catalog.sandboxes.fields import TeamScratchOrgFields
from graphql_schema.compiled.declarations import (
    Column,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.feedback.satisfaction.loaders import satisfaction_of
from graphql_schema.feedback.satisfaction.types import Satisfaction
from graphql_schema.history import Versioned
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.work.releases.fields import TeamReleaseFields
from identity import audit, models
from identity.principal import Role


@strawberry.type(description="A federated identity: people sign in through SSO, never locally.")
class Person(Node, Versioned):
    id: strawberry.ID
    display_name: str
    active: bool
    last_seen_at: datetime | None
    version: int
    model: strawberry.Private[models.Person]

    @classmethod
    def from_model(cls, person: models.Person) -> Person:
        return cls(
            id=global_id("Person", person.id),
            display_name=person.display_name,
            active=person.active,
            last_seen_at=person.last_seen_at,
            version=person.version,
            model=person,
        )

    @strawberry.field(description="Reading it is audited.")
    def email(self, info: Info) -> str | None:
        info.context.note_sensitive_read("Person.email", self.model.id)
        return self.model.email

    @strawberry.field
    def memberships(self) -> list[Membership]:
        return [Membership.from_model(item) for item in self.model.memberships]


@strawberry.type(description="A business unit; teams belong to one and KPIs roll up to it.")
class BusinessUnit(Node, Versioned):
    id: strawberry.ID
    name: str
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.BusinessUnit]

    @classmethod
    def from_model(cls, unit: models.BusinessUnit) -> BusinessUnit:
        return cls(
            id=global_id("BusinessUnit", unit.id),
            name=unit.name,
            version=unit.version,
            created_at=unit.created_at,
            updated_at=unit.updated_at,
            model=unit,
        )

    @strawberry.field(description="Pooled ratings of its services' feedback, last `days` days.")
    async def satisfaction(self, info: Info, days: int = 90) -> Satisfaction:
        return await satisfaction_of(info, "business_unit", self.model.id, days)

    @strawberry.field
    def teams(self) -> list[Team]:
        return [Team.from_model(team) for team in sorted(self.model.teams, key=_by_name)]


def _by_name(team: models.Team) -> str:
    return team.name


@strawberry.type(description="A product, platform or support team.")
class Team(Node, Versioned, TeamScratchOrgFields, TeamReleaseFields):
    id: strawberry.ID
    name: str
    slug: str
    kind: models.TeamKind
    contact_email: str | None
    chat_channel: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Team]

    @classmethod
    def from_model(cls, team: models.Team) -> Team:
        return cls(
            id=global_id("Team", team.id),
            name=team.name,
            slug=team.slug,
            kind=team.kind,
            contact_email=team.contact_email,
            chat_channel=team.chat_channel,
            version=team.version,
            created_at=team.created_at,
            updated_at=team.updated_at,
            model=team,
        )

    @strawberry.field(description="Pooled ratings of its services' feedback, last `days` days.")
    async def satisfaction(self, info: Info, days: int = 90) -> Satisfaction:
        return await satisfaction_of(info, "team", self.model.id, days)

    @strawberry.field
    def business_unit(self) -> BusinessUnit:
        return BusinessUnit.from_model(self.model.business_unit)

    @strawberry.field
    def memberships(self) -> list[Membership]:
        return [Membership.from_model(item) for item in self.model.memberships]


@strawberry.type(description="A person's role in a team.")
class Membership(Node, Versioned):
    id: strawberry.ID
    role: models.MembershipRole
    version: int
    model: strawberry.Private[models.Membership]

    @classmethod
    def from_model(cls, membership: models.Membership) -> Membership:
        return cls(
            id=global_id("Membership", membership.id),
            role=membership.role,
            version=membership.version,
            model=membership,
        )

    @strawberry.field
    def person(self) -> Person:
        return Person.from_model(self.model.person)

    @strawberry.field
    def team(self) -> Team:
        return Team.from_model(self.model.team)


@strawberry.type(description="The caller: null for an anonymous caller.")
class Viewer:
    person: Person | None
    roles: list[Role]
    teams: list[Team]
    is_machine: bool


@strawberry.type(description="One audited act: a change, a sign-in, a refusal, a sensitive read.")
class AuditEvent:
    id: strawberry.ID
    at: datetime
    actor: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: audit.AuditOutcome
    client_ip: str | None
    user_agent: str | None
    request_id: str | None
    details: JSON

    @classmethod
    def from_model(cls, event: audit.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(str(event.id)),
            at=event.at,
            actor=event.actor,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            outcome=event.outcome,
            client_ip=event.client_ip,
            user_agent=event.user_agent,
            request_id=event.request_id,
            details=JSON(event.details),
        )


register_relations("Person", {"memberships": ([models.Person.memberships], "Membership")})
register_relations("BusinessUnit", {"teams": ([models.BusinessUnit.teams], "Team")})
register_relations(
    "Team",
    {
        "businessUnit": ([models.Team.business_unit], "BusinessUnit"),
        "memberships": ([models.Team.memberships], "Membership"),
    },
)
register_relations(
    "Membership",
    {"person": ([models.Membership.person], "Person"), "team": ([models.Membership.team], "Team")},
)


def _business_unit_of(team: FromClause, _: Parameters) -> Rows:
    unit = models.BusinessUnit.__table__.alias()
    return Rows(unit, unit.c.id == team.c.business_unit_id)


def _teams_of(unit: FromClause, _: Parameters) -> Rows:
    """`BusinessUnit.teams`: sorted by name in Python, which compares code points as the "C"
    collation does, whatever the database's; equal names in the relationship's order, by id."""
    team = models.Team.__table__.alias()
    return Rows(
        team,
        team.c.business_unit_id == unit.c.id,
        order_by=(team.c.name.collate("C"), team.c.id),
    )


def _memberships(key: str) -> Callable[[FromClause, Parameters], Rows]:
    """`Person.memberships` or `Team.memberships` (by `key`): in the relationships' order."""

    def rows(owner: FromClause, _: Parameters) -> Rows:
        membership = models.Membership.__table__.alias()
        return Rows(
            membership,
            membership.c[key] == owner.c.id,
            order_by=(membership.c.created_at, membership.c.id),
        )

    return rows


def _person_of(membership: FromClause, _: Parameters) -> Rows:
    person = models.Person.__table__.alias()
    return Rows(person, person.c.id == membership.c.person_id)


def _team_of(membership: FromClause, _: Parameters) -> Rows:
    team = models.Team.__table__.alias()
    return Rows(team, team.c.id == membership.c.team_id)


declare_sql(
    "Person",
    {
        "id": GlobalId("Person"),
        "displayName": Column("display_name"),
        "active": Column("active"),
        "lastSeenAt": Column("last_seen_at"),
        "version": Column("version"),
        "memberships": Relation("Membership", _memberships("person_id"), many=True),
    },
)
declare_sql(
    "BusinessUnit",
    {
        "id": GlobalId("BusinessUnit"),
        "name": Column("name"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "teams": Relation("Team", _teams_of, many=True),
    },
)
declare_sql(
    "Team",
    {
        "id": GlobalId("Team"),
        "name": Column("name"),
        "slug": Column("slug"),
        "kind": Column("kind"),
        "contactEmail": Column("contact_email"),
        "chatChannel": Column("chat_channel"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "businessUnit": Relation("BusinessUnit", _business_unit_of),
        "memberships": Relation("Membership", _memberships("team_id"), many=True),
    },
)
declare_sql(
    "Membership",
    {
        "id": GlobalId("Membership"),
        "role": Column("role"),
        "version": Column("version"),
        "person": Relation("Person", _person_of),
        "team": Relation("Team", _team_of),
    },
)
register_node("Person", models.Person, Person.from_model)
register_node("BusinessUnit", models.BusinessUnit, BusinessUnit.from_model)
register_node("Team", models.Team, Team.from_model)
register_node("Membership", models.Membership, Membership.from_model)
