"""`clockEvents`: the query (newest first, filtered, keyset pages)."""

from __future__ import annotations

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.access import requires
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.service_levels.clock_events.inputs import ClockEventFilter
from graphql_schema.service_levels.clock_events.types import ClockEvent
from identity.principal import Role
from service_levels import clock_events, models

ORDER = KeysetOrder(models.ClockEvent.at, models.ClockEvent.id, descending=True, name="AT")


def event_filter(given: ClockEventFilter | None) -> clock_events.EventFilter:
    if given is None:
        return clock_events.EventFilter()
    for name, moment in (("since", given.since), ("until", given.until)):
        if moment is not None and moment.tzinfo is None:
            raise BadUserInput(f"filter.{name} needs a UTC offset")
    try:
        service_id = (
            decode_id(given.service_id, "Service", field="serviceId") if given.service_id else None
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    return clock_events.EventFilter(
        service_id=service_id,
        subject_kind=given.subject_kind,
        thresholds=tuple(models.ClockThreshold(item) for item in given.thresholds or ()),
        since=given.since,
        until=given.until,
    )


def clock_events_page(filter: ClockEventFilter | None = None) -> PageSource:
    """What `clockEvents` pages over, for its resolver and for the compiled path alike."""
    given = event_filter(filter)
    return PageSource(
        clock_events.events_query(given),
        ORDER,
        "ClockEvent",
        ClockEvent.from_model,
        [given.service_id, given.subject_kind, sorted(given.thresholds), given.since, given.until],
    )


@strawberry.type
class ClockEventQuery:
    @strawberry.field(
        description="Request and incident SLA clocks that passed their warning threshold or"
        " their target, newest first.",
        metadata=requires(Role.VIEWER),
    )
    @paged
    async def clock_events(
        self,
        info: Info,
        filter: ClockEventFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[ClockEvent]:
        return await paginate_source(info, clock_events_page(filter), page)


declare_root("clockEvents", RootPage(clock_events_page))
