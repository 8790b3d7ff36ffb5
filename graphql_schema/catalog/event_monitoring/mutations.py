"""`updateSalesforceFootprint`: the apps, objects and permission sets a service declares."""

from __future__ import annotations

import strawberry

from catalog.event_monitoring import actions
from graphql_schema.catalog.services.mutations import SERVICE
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.mutation_runner import Arguments, mutation
from graphql_schema.node import decode_id
from identity.principal import Role


@strawberry.input(description="Lists given replace the stored ones; lists left out stay.")
class UpdateSalesforceFootprintInput:
    service_id: strawberry.ID
    version: int
    apps: list[str] | None = strawberry.UNSET
    objects: list[str] | None = strawberry.UNSET
    permission_sets: list[str] | None = strawberry.UNSET


@strawberry.type
class EventMonitoringMutation:
    @mutation(
        "Change the Salesforce footprint of a service (its owner team, or ADMIN); audited, and"
        " kept in the service's history.",
        permission=Role.TEAM_MEMBER,
        action=actions.update_salesforce_footprint,
        payload=SERVICE,
    )
    def update_salesforce_footprint(self, input: UpdateSalesforceFootprintInput) -> Arguments:
        given = provided(input, exclude=("service_id", "version"))
        refuse_nulls(given, "apps", "objects", "permission_sets")
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "version": input.version,
            "changes": given,
        }
