"""`kpiSummary`: the roll-up of a service, team, business unit or the organisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from core.clock import utcnow
from core.errors import DomainError
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.service_levels.kpis.inputs import KpiWindowInput
from graphql_schema.service_levels.kpis.types import KpiSummary
from service_levels import rollups
from service_levels.metric_sql import MetricSettings
from service_levels.models import WindowKind
from service_levels.objective_answers import WindowChoice

_SCOPE_TYPES = {
    rollups.KpiScope.SERVICE: "Service",
    rollups.KpiScope.TEAM: "Team",
    rollups.KpiScope.BUSINESS_UNIT: "BusinessUnit",
}


def decode_scope_id(scope: rollups.KpiScope, scope_id: strawberry.ID | None) -> uuid.UUID | None:
    """The scope's id, decoded; BAD_USER_INPUT when missing, given for the organisation or
    of another type."""
    if scope is rollups.KpiScope.ORGANISATION:
        if scope_id is not None:
            raise BadUserInput("scopeId: the organisation takes no id")
        return None
    if scope_id is None:
        raise BadUserInput(f"scopeId: a {_SCOPE_TYPES[scope]} id is required for {scope.value}")
    try:
        return decode_id(scope_id, _SCOPE_TYPES[scope], field="scopeId")
    except DomainError as error:
        raise BadUserInput(error.message) from None


def _person_id(value: strawberry.ID | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return decode_id(value, "Person", field="productOwnerId")
    except DomainError as error:
        raise BadUserInput(error.message) from None


def _window(window: KpiWindowInput | None) -> WindowChoice | None:
    if window is None:
        return None
    rolling = window.kind is WindowKind.ROLLING_DAYS
    if rolling and not (window.days and 1 <= window.days <= 366):
        raise BadUserInput("window.days: ROLLING_DAYS needs days from 1 to 366")
    if not rolling and window.days is not None:
        raise BadUserInput("window.days: only ROLLING_DAYS takes days")
    return WindowChoice(window.kind, window.days)


@strawberry.type
class KpiQuery:
    @strawberry.field(
        description="The KPI roll-up of a service, team, business unit or the organisation:"
        " objectives by status (each over its own window, or `window`), every metric pooled"
        " over the scope's services (over `window`, by default the calendar month in"
        " CATALOG_ORG_TIMEZONE) and the worst objectives first."
    )
    async def kpi_summary(
        self,
        info: Info,
        scope: rollups.KpiScope,
        scope_id: strawberry.ID | None = None,
        window: KpiWindowInput | None = None,
        as_of: datetime | None = None,
        product_owner_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only the services this person is the product owner of today:"
                " the product owner's view of their own services."
            ),
        ] = None,
    ) -> KpiSummary:
        decoded = decode_scope_id(scope, scope_id)
        owner = _person_id(product_owner_id)
        chosen = _window(window)
        now = utcnow()
        moment = min(as_of, now) if as_of is not None else now
        settings = MetricSettings.of(info.context.settings)
        async with info.context.db() as session:
            try:
                summary = await rollups.kpi_summary(
                    session,
                    rollups.ScopeFilter(scope, decoded, owner, moment.date()),
                    moment,
                    settings,
                    chosen,
                )
            except rollups.UnknownScope as error:
                raise BadUserInput(f"scopeId: {error}") from None
        return KpiSummary.of(summary)
