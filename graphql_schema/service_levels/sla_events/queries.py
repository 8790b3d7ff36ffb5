"""`slaEvents`: the query (newest first, filtered, keyset pages)."""

from __future__ import annotations

import uuid

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.access import requires
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.service_levels.sla_events.inputs import SlaEventFilter
from graphql_schema.service_levels.sla_events.types import SlaEvent
from identity.principal import Role
from service_levels import models, sla_events

ORDER = KeysetOrder(models.SlaEvent.at, models.SlaEvent.id, descending=True, name="AT")


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def event_filter(given: SlaEventFilter | None) -> sla_events.EventFilter:
    if given is None:
        return sla_events.EventFilter()
    for name, moment in (("since", given.since), ("until", given.until)):
        if moment is not None and moment.tzinfo is None:
            raise BadUserInput(f"filter.{name} needs a UTC offset")
    try:
        return sla_events.EventFilter(
            service_id=_optional_id(given.service_id, "Service", "serviceId"),
            sla_id=_optional_id(given.sla_id, "Sla", "slaId"),
            objective_id=_optional_id(given.objective_id, "Objective", "objectiveId"),
            kinds=tuple(models.SlaEventKind(kind) for kind in given.kinds or ()),
            since=given.since,
            until=given.until,
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None


def sla_events_page(filter: SlaEventFilter | None = None) -> PageSource:
    """What `slaEvents` pages over, for its resolver and for the compiled path alike."""
    given = event_filter(filter)
    return PageSource(
        sla_events.events_query(given),
        ORDER,
        "SlaEvent",
        SlaEvent.from_model,
        [
            given.service_id,
            given.sla_id,
            given.objective_id,
            sorted(given.kinds),
            given.since,
            given.until,
        ],
    )


@strawberry.type
class SlaEventQuery:
    @strawberry.field(
        description="Objectives that went at risk, breached or recovered, newest first.",
        metadata=requires(Role.VIEWER),
    )
    @paged
    async def sla_events(
        self,
        info: Info,
        filter: SlaEventFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[SlaEvent]:
        return await paginate_source(info, sla_events_page(filter), page)


declare_root("slaEvents", RootPage(sla_events_page))
