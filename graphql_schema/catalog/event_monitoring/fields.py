"""The Event Monitoring fields `Service` inherits: `salesforceFootprint`, `adoption(window)` and
`sensitiveDataAccess(window, first, after)`.

Both read what the `salesforce-event-logs` job stored (hourly), never Salesforce itself.
When every org of the service the job looked at lacks the Event Monitoring licence, they are
null with a `FEATURE_UNAVAILABLE` error naming the org; nothing else in the response changes.
Sensitive-data access is sensitive itself: only ADMIN and the service's owner team see it,
and each read is audited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import strawberry

from catalog.event_monitoring.repository import data_access_query
from core.clock import utcnow
from core.errors import ErrorCode
from core.pagination import PageRequest
from graphql_schema.access import requires
from graphql_schema.catalog.event_monitoring.types import (
    DATA_ACCESS_ORDER,
    AdoptionDay,
    DataAccess,
    SalesforceFootprint,
    ServiceAdoption,
)
from graphql_schema.connection import Connection, paged, paginate
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, CodedError, Forbidden
from identity.principal import Role

DEFAULT_DAYS = 30
MAX_DAYS = 366


@strawberry.input(description="Days from `from` through `to` (UTC dates, both included).")
class DayWindowInput:
    from_: date = strawberry.field(name="from")
    to: date


class FeatureUnavailable(CodedError):
    """The org has no Event Monitoring licence; `extensions` name the code and the org."""

    def __init__(self, org_id: str) -> None:
        super().__init__(f"Salesforce org {org_id}: Event Monitoring is not licensed")
        self.extensions = {"code": ErrorCode.FEATURE_UNAVAILABLE.value, "org": org_id}


def _days(window: DayWindowInput | None) -> tuple[date, date]:
    if window is None:
        today = utcnow().date()
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    if window.to < window.from_:
        raise BadUserInput("window: `to` is before `from`")
    if (window.to - window.from_).days + 1 > MAX_DAYS:
        raise BadUserInput(f"window: at most {MAX_DAYS} days")
    return window.from_, window.to


async def _require_licensed(info: Info, service_id: Any) -> None:
    """FEATURE_UNAVAILABLE when the job found no org of the service licensed."""
    states = await info.context.loaders.event_monitoring_orgs.load(service_id) or []
    if states and not any(licensed for _, licensed in states):
        raise FeatureUnavailable(states[0][0])


@strawberry.type
class ServiceEventMonitoringFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="The Salesforce apps, objects and permission sets it declares; changed"
        " with `updateSalesforceFootprint`."
    )
    def salesforce_footprint(self) -> SalesforceFootprint:
        return SalesforceFootprint(
            apps=list(self.model.salesforce_apps),
            objects=list(self.model.salesforce_objects),
            permission_sets=list(self.model.salesforce_permission_sets),
        )

    @strawberry.field(
        description=f"Distinct users and sessions active with its footprint (default: the last"
        f" {DEFAULT_DAYS} days through today, at most {MAX_DAYS}), from the event logs of its"
        " orgs. Null with FEATURE_UNAVAILABLE when none of its orgs has Event Monitoring."
    )
    async def adoption(
        self, info: Info, window: DayWindowInput | None = None
    ) -> ServiceAdoption | None:
        first, last = _days(window)
        await _require_licensed(info, self.model.id)
        found = await info.context.loaders.service_adoption[(first, last)].load(self.model.id)
        rows = found or []
        total = next(((users, sessions) for day, users, sessions in rows if day is None), (0, 0))
        return ServiceAdoption(
            first_day=first,
            last_day=last,
            active_users=total[0],
            sessions=total[1],
            days=[
                AdoptionDay(day=day, active_users=users, sessions=sessions)
                for day, users, sessions in rows
                if day is not None
            ],
        )

    @strawberry.field(
        description="Reads and exports of its objects (when it is CONFIDENTIAL or RESTRICTED)"
        " on its orgs, latest first, within the window (default: the last"
        f" {DEFAULT_DAYS} days). For ADMIN and its owner team only; reading is audited. Null"
        " with FEATURE_UNAVAILABLE when none of its orgs has Event Monitoring.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    @paged
    async def sensitive_data_access(
        self, info: Info, window: DayWindowInput | None = None, *, page: PageRequest
    ) -> Connection[DataAccess] | None:
        principal = info.context.principal
        owner_team_id = self.model.owner_team_id
        if principal is None or not (principal.is_admin or owner_team_id in principal.team_ids):
            raise Forbidden("sensitive data access is for ADMIN and the service's owner team")
        first, last = _days(window)
        await _require_licensed(info, self.model.id)
        since = datetime.combine(first, time(), tzinfo=UTC)
        until = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
        info.context.note_sensitive_read("Service.sensitiveDataAccess", self.model.id)
        return await paginate(
            info,
            data_access_query(self.model, since, until),
            type_name="DataAccess",
            convert=DataAccess.from_model,
            order=DATA_ACCESS_ORDER,
            request=page,
            fingerprint_parts=[str(self.model.id), first.isoformat(), last.isoformat()],
        )
