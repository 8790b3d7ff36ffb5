"""The schema: every domain's queries and mutations, and the extensions that guard them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.graphql import OperationType

from core.settings import Introspection
from graphql_schema.access import access_error
from graphql_schema.catalog.ai_models.mutations import AIModelMutation
from graphql_schema.catalog.ai_models.queries import AIModelQuery
from graphql_schema.catalog.backups.mutations import BackupMutation
from graphql_schema.catalog.catalog_import.mutations import CatalogImportMutation
from graphql_schema.catalog.event_monitoring.mutations import EventMonitoringMutation
from graphql_schema.catalog.graph.mutations import GraphMutation
from graphql_schema.catalog.graph.queries import GraphQuery
from graphql_schema.catalog.graph.types import Dependency, SharedResource
from graphql_schema.catalog.org_users.mutations import OrgUserMutation
from graphql_schema.catalog.orgs.mutations import (
    SalesforceOrgLifecycleMutation,
    SalesforceOrgMutation,
)
from graphql_schema.catalog.orgs.queries import SalesforceOrgQuery
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.reviews.mutations import ReviewMutation
from graphql_schema.catalog.services.mutations import ServiceLifecycleMutation, ServiceMutation
from graphql_schema.catalog.services.queries import ServiceQuery
from graphql_schema.catalog.services.types import OwnershipRole, Service
from graphql_schema.compiled.extension import CompiledReadPath
from graphql_schema.context import Info
from graphql_schema.cost_budget import CostBudget
from graphql_schema.directives import DirectiveLimit
from graphql_schema.document_cache import CachedParse, CachedValidation
from graphql_schema.feedback.mutations import FeedbackMutation
from graphql_schema.feedback.queries import FeedbackQuery
from graphql_schema.feedback.subscriptions import FeedbackSubscription
from graphql_schema.history import HistoryQuery
from graphql_schema.identity.calendar_tokens.mutations import CalendarTokenMutation
from graphql_schema.identity.calendar_tokens.queries import CalendarTokenQuery
from graphql_schema.identity.mutations import IdentityLifecycleMutation, IdentityMutation
from graphql_schema.identity.queries import AuditQuery, IdentityQuery
from graphql_schema.identity.types import BusinessUnit, Membership, Person, Team
from graphql_schema.introspection import IntrospectionPolicy
from graphql_schema.limits import Limits, guard_extensions
from graphql_schema.live import transport_error
from graphql_schema.node import Node, resolve_nodes
from graphql_schema.notifications.mutations import NotificationMutation
from graphql_schema.notifications.queries import NotificationQuery
from graphql_schema.observability import CatalogSchema, OperationMetrics, tracing_extension
from graphql_schema.search.queries import SearchQuery
from graphql_schema.service_levels.clock_events.queries import ClockEventQuery
from graphql_schema.service_levels.clock_events.subscriptions import ClockEventSubscription
from graphql_schema.service_levels.clocks.mutations import ClockPolicyMutation
from graphql_schema.service_levels.flow.queries import FlowQuery
from graphql_schema.service_levels.kpis.queries import KpiQuery
from graphql_schema.service_levels.measurements.mutations import MeasurementMutation
from graphql_schema.service_levels.sla_events.queries import SlaEventQuery
from graphql_schema.service_levels.sla_events.subscriptions import SlaEventSubscription
from graphql_schema.service_levels.slas.mutations import SlaMutation
from graphql_schema.service_levels.slas.queries import SlaQuery
from graphql_schema.text_inputs import ControlCharacters
from graphql_schema.work.backlog.mutations import BacklogMutation
from graphql_schema.work.backlog.queries import BacklogQuery
from graphql_schema.work.freezes.mutations import FreezeWindowMutation
from graphql_schema.work.freezes.queries import FreezeWindowQuery
from graphql_schema.work.incidents.mutations import IncidentMutation
from graphql_schema.work.incidents.queries import IncidentQuery
from graphql_schema.work.incidents.subscriptions import IncidentSubscription
from graphql_schema.work.releases.mutations import ReleaseMutation
from graphql_schema.work.releases.queries import ReleaseQuery
from graphql_schema.work.requests.mutations import ServiceRequestMutation
from graphql_schema.work.requests.queries import ServiceRequestQuery
from identity.audit import AuditEntry, AuditOutcome


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when unknown or invisible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(description="Objects by global id, in the order asked; at most 100.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await resolve_nodes(info, ids)


@strawberry.type
class Query(
    NodeQuery,
    IdentityQuery,
    ServiceQuery,
    SalesforceOrgQuery,
    GraphQuery,
    HistoryQuery,
    AuditQuery,
    FeedbackQuery,
    BacklogQuery,
    ReleaseQuery,
    FreezeWindowQuery,
    CalendarTokenQuery,
    ServiceRequestQuery,
    IncidentQuery,
    SlaQuery,
    SlaEventQuery,
    ClockEventQuery,
    AIModelQuery,
    KpiQuery,
    FlowQuery,
    NotificationQuery,
    SearchQuery,
):
    pass


@strawberry.type
class Mutation(
    IdentityMutation,
    IdentityLifecycleMutation,
    ServiceMutation,
    SalesforceOrgMutation,
    ServiceLifecycleMutation,
    SalesforceOrgLifecycleMutation,
    OrgUserMutation,
    EventMonitoringMutation,
    BackupMutation,
    GraphMutation,
    CatalogImportMutation,
    ReviewMutation,
    FeedbackMutation,
    BacklogMutation,
    ReleaseMutation,
    FreezeWindowMutation,
    CalendarTokenMutation,
    ServiceRequestMutation,
    IncidentMutation,
    ClockPolicyMutation,
    SlaMutation,
    MeasurementMutation,
    AIModelMutation,
    NotificationMutation,
):
    pass


@strawberry.type
class Subscription(
    SlaEventSubscription, IncidentSubscription, FeedbackSubscription, ClockEventSubscription
):
    pass


class ReadOnlyQueries(SchemaExtension):
    """Queries run in a read-only transaction; only mutations may write.

    Also refuses, before anything runs, a document selecting what the caller may not see.
    """

    async def on_execute(self):  # type: ignore[no-untyped-def]
        execution = self.execution_context
        context = execution.context
        context.read_only = execution.operation_type is not OperationType.MUTATION
        assert execution.graphql_document is not None
        refusal = access_error(
            execution.schema._schema,
            execution.graphql_document,
            context.principal,
            execution.query,
        ) or transport_error(context, execution.operation_type)
        if refusal is not None:
            execution.result = GraphQLExecutionResult(data=None, errors=[refusal])
            entry = AuditEntry(
                "GRAPHQL_ACCESS",
                AuditOutcome.DENIED,
                details={"reason": refusal.message, "operation": execution.operation_name},
            )
            await context.audit_refusal(entry)
            if execution.operation_type is OperationType.SUBSCRIPTION:
                raise refusal  # a subscription starts whatever result is preset
        yield


# Every object type reachable only through an interface (`node`): listed so both schemas
# (this one and the federation subgraph, graphql_schema/federation) carry them.
TYPES: tuple[type, ...] = (
    Person,
    BusinessUnit,
    Team,
    Membership,
    Service,
    OwnershipRole,
    SalesforceOrg,
    SharedResource,
    Dependency,
)


def schema_extensions(
    *,
    mask_errors: bool = False,
    limits: Limits | None = None,
    budget: CostBudget | None = None,
    tracing: bool = False,
    introspection: Introspection = Introspection.PUBLIC,
    compiled: bool = True,
) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The extensions guarding every operation, in order (`build_schema` says what each
    argument means); `compiled` adds the compiled read path (graphql_schema/compiled)."""
    return [
        OperationMetrics,
        *([tracing_extension()] if tracing else []),
        ReadOnlyQueries,
        partial(IntrospectionPolicy, introspection),
        DirectiveLimit,
        ControlCharacters,
        *guard_extensions(limits or Limits(), mask_errors=mask_errors, budget=budget),
        CachedParse,
        CachedValidation,
        *([CompiledReadPath] if compiled else []),
    ]


def build_schema(
    *,
    mask_errors: bool = False,
    limits: Limits | None = None,
    budget: CostBudget | None = None,
    tracing: bool = False,
    introspection: Introspection = Introspection.PUBLIC,
) -> strawberry.Schema:
    """The schema; `mask_errors` (prod) hides unexpected messages, never refusals.

    `tracing` adds OpenTelemetry spans (only when an exporter is configured: server/tracing).
    `introspection` says who may send `__schema` and `__type` (graphql_schema/introspection).
    `budget` is each caller's cost per minute (CATALOG_COST_PER_MINUTE), if any.
    """
    limits = limits or Limits()
    return CatalogSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(TYPES),
        extensions=schema_extensions(
            mask_errors=mask_errors,
            limits=limits,
            budget=budget,
            tracing=tracing,
            introspection=introspection,
        ),
        config=StrawberryConfig(disable_field_suggestions=mask_errors),
        fast_path=not tracing,
        limits=limits,
        budget=budget,
    )


def sdl() -> str:
    return build_schema().as_str() + "\n"


__all__ = [
    "TYPES",
    "Mutation",
    "Query",
    "StrawberryObjectDefinition",
    "build_schema",
    "schema_extensions",
    "sdl",
]
