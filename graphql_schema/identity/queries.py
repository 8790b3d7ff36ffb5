"""Queries of the organisation, and the audit log: AUDITOR and ADMIN only, and reading it
is itself audited."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from core.pagination import KeysetOrder, PageRequest
from graphql_schema.access import requires
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate, paginate_source
from graphql_schema.context import Info
from graphql_schema.identity.inputs import AuditEventFilter
from graphql_schema.identity.types import AuditEvent, BusinessUnit, Person, Team, Viewer
from graphql_schema.prefetch import child_selections, loader_options
from identity import audit, models, repository
from identity.principal import Role


def people_page() -> PageSource:
    return PageSource(
        repository.people_query(),
        KeysetOrder(models.Person.display_name, models.Person.id, name="DISPLAY_NAME"),
        "Person",
        Person.from_model,
    )


def teams_page(include_archived: bool = False) -> PageSource:
    return PageSource(
        repository.teams_query(include_archived=include_archived),
        KeysetOrder(models.Team.name, models.Team.id, name="NAME"),
        "Team",
        Team.from_model,
        [include_archived],
    )


def business_units_page(include_archived: bool = False) -> PageSource:
    return PageSource(
        repository.business_units_query(include_archived=include_archived),
        KeysetOrder(models.BusinessUnit.name, models.BusinessUnit.id, name="NAME"),
        "BusinessUnit",
        BusinessUnit.from_model,
        [include_archived],
    )


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The caller; null only for an anonymous caller.")
    async def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        if principal is None:
            return None
        person = None
        teams: list[Team] = []
        selections = info.selected_fields[0].selections
        async with info.context.db() as session:
            if principal.person_id is not None:
                found = await session.scalar(
                    select(models.Person)
                    .where(models.Person.id == principal.person_id)
                    .options(*loader_options(child_selections(selections, "person"), "Person"))
                )
                person = Person.from_model(found) if found is not None else None
            if principal.team_ids:
                rows = await session.scalars(
                    select(models.Team)
                    .where(models.Team.id.in_(principal.team_ids))
                    .order_by(models.Team.name)
                    .options(*loader_options(child_selections(selections, "teams"), "Team"))
                )
                teams = [Team.from_model(team) for team in rows]
        return Viewer(
            person=person,
            roles=sorted(principal.roles),
            teams=teams,
            is_machine=principal.is_machine,
        )

    @strawberry.field(description="People, by display name.")
    @paged
    async def people(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[Person]:
        return await paginate_source(info, people_page(), page)

    @strawberry.field(description="Teams, by name; archived ones only when asked.")
    @paged
    async def teams(
        self,
        info: Info,
        include_archived: bool = False,
        *,
        page: PageRequest,
    ) -> Connection[Team]:
        return await paginate_source(info, teams_page(include_archived), page)

    @strawberry.field(description="Business units, by name; archived ones only when asked.")
    @paged
    async def business_units(
        self,
        info: Info,
        include_archived: bool = False,
        *,
        page: PageRequest,
    ) -> Connection[BusinessUnit]:
        return await paginate_source(info, business_units_page(include_archived), page)


declare_root("people", RootPage(people_page))
declare_root("teams", RootPage(teams_page))
declare_root("businessUnits", RootPage(business_units_page))


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Audit events, newest first (AUDITOR).", metadata=requires(Role.AUDITOR)
    )
    @paged
    async def audit_events(
        self,
        info: Info,
        filter: AuditEventFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[AuditEvent]:
        given = filter or AuditEventFilter()
        audit_filter = audit.AuditFilter(
            actor=given.actor,
            action=given.action,
            target_type=given.target_type,
            target_id=given.target_id,
            outcome=given.outcome,
            since=given.since,
            until=given.until,
        )
        connection = await paginate(
            info,
            audit.events_query(audit_filter),
            type_name="AuditEvent",
            convert=AuditEvent.from_model,
            order=KeysetOrder(audit.AuditEvent.at, audit.AuditEvent.id, descending=True, name="AT"),
            request=page,
            fingerprint_parts=[repr(audit_filter)],
        )
        for edge in connection.edges:
            info.context.note_sensitive_read("AuditEvent", edge.node.id)
        return connection
