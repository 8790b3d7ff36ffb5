"""Event Monitoring as GraphQL sees it: a service's Salesforce footprint, its adoption, and
the accesses to its sensitive data that the `salesforce-event-logs` job read from the logs."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry

from catalog.event_monitoring import models
from core.pagination import KeysetOrder
from graphql_schema.compiled.declarations import Column, declare_sql
from graphql_schema.identity.types import Person
from graphql_schema.node import global_id

if TYPE_CHECKING:
    from graphql_schema.catalog.orgs.types import SalesforceOrg

Org = Annotated["SalesforceOrg", strawberry.lazy("graphql_schema.catalog.orgs.types")]
DATA_ACCESS_ORDER = KeysetOrder(
    models.DataAccess.at, models.DataAccess.id, descending=True, name="AT"
)


@strawberry.enum(description="What an access did with sensitive data.")
class DataAction(StrEnum):
    READ = "READ"
    EXPORT = "EXPORT"


@strawberry.enum(description="A rule an access to sensitive data broke.")
class DataAccessAnomaly(Enum):
    LARGE_EXPORT = strawberry.enum_value(
        "LARGE_EXPORT",
        description="An export of more rows than CATALOG_EVENT_MONITORING_EXPORT_ROWS.",
    )
    NEW_COUNTRY = strawberry.enum_value(
        "NEW_COUNTRY", description="From a country never seen before for this user."
    )
    NEW_IP_RANGE = strawberry.enum_value(
        "NEW_IP_RANGE", description="From an IP range (/24, IPv6 /48) never seen for this user."
    )
    UNUSUAL_HOUR = strawberry.enum_value(
        "UNUSUAL_HOUR",
        description="In a UTC hour (with the hour either side) the user is rarely active in;"
        " judged once they have 10 active days.",
    )


@strawberry.type(
    description="The Salesforce apps, objects and permission sets a service declares (API"
    " names). Adoption counts the users active with any of them; its objects are its"
    " sensitive data when the service is CONFIDENTIAL or RESTRICTED."
)
class SalesforceFootprint:
    apps: list[str]
    objects: list[str]
    permission_sets: list[str]


declare_sql(
    "SalesforceFootprint",
    {
        "apps": Column("salesforce_apps"),
        "objects": Column("salesforce_objects"),
        "permissionSets": Column("salesforce_permission_sets"),
    },
)


@strawberry.type(description="Distinct active users and sessions of one day.")
class AdoptionDay:
    day: date
    active_users: int
    sessions: int


@strawberry.type(
    description="Who used the service, from its orgs' Event Monitoring logs: people active"
    " with an app, object or permission set of its footprint."
)
class ServiceAdoption:
    first_day: date
    last_day: date
    active_users: int = strawberry.field(description="Distinct users over the window.")
    sessions: int = strawberry.field(description="Distinct sessions over the window.")
    days: list[AdoptionDay] = strawberry.field(description="Days with any activity, in order.")


@strawberry.type(
    description="A read or export of a sensitive object of the service, from the logs;"
    " reached only through `Service.sensitiveDataAccess` (no `node`)."
)
class DataAccess:
    id: strawberry.ID
    user: str = strawberry.field(description="The Salesforce user id.")
    username: str | None = strawberry.field(
        description="The user's username, as the last `salesforce-users` sync read it."
    )
    object: str
    action: DataAction
    rows: int | None = strawberry.field(description="Rows read or exported, as logged.")
    at: datetime
    source_ip: str | None
    country: str | None = strawberry.field(
        description="The country as Salesforce placed the user's login (LoginGeo), not GeoIP."
    )
    country_iso: str | None
    event_type: str = strawberry.field(description="The log it came from (API, BulkApi…).")
    anomaly: list[DataAccessAnomaly] = strawberry.field(
        description="The rules this access broke; empty when nothing was unusual."
    )
    model: strawberry.Private[models.DataAccess]

    @classmethod
    def from_model(cls, row: models.DataAccess) -> DataAccess:
        org_user = row.org_user
        return cls(
            id=global_id("DataAccess", row.id),
            user=row.user_id,
            username=org_user.username if org_user else None,
            object=row.object_name,
            action=DataAction(row.action),
            rows=row.rows,
            at=row.at,
            source_ip=row.source_ip,
            country=row.country,
            country_iso=row.country_iso,
            event_type=row.event_type,
            anomaly=[DataAccessAnomaly(flag) for flag in row.anomalies],
            model=row,
        )

    @strawberry.field(description="The person the user was matched to, if any.")
    def person(self) -> Person | None:
        org_user = self.model.org_user
        person = org_user.person if org_user else None
        return Person.from_model(person) if person is not None else None

    @strawberry.field(description="The org it happened in.")
    def org(self) -> Org:
        from graphql_schema.catalog.orgs.types import SalesforceOrg

        return SalesforceOrg.from_model(self.model.org)
