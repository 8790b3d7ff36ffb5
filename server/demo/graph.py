"""The demo's dependency graph: shared resources, dependencies, and one deliberate cycle.

Run after the demo services exist (the end of `seed_demo`). Each resource is found by
name and each dependency by (source, target, kind) before anything is created, so a
second run creates nothing. Writes go through the graph actions, as an ADMIN.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.graph import actions, repository
from catalog.graph.models import DependencyKind, SharedResourceKind
from catalog.services.models import Service
from identity.models import Team
from server.demo.kit import SEED_PRINCIPAL, Tally, ids_by_slug, ignore


@dataclass(frozen=True)
class DemoResource:
    name: str
    kind: SharedResourceKind
    team: str
    description: str


_I, _M = SharedResourceKind.INTEGRATION, SharedResourceKind.MIDDLEWARE
_IDP, _STORE, _OTHER = (
    SharedResourceKind.IDENTITY_PROVIDER,
    SharedResourceKind.DATA_STORE,
    SharedResourceKind.OTHER,
)

MULESOFT, OKTA, SNOWFLAKE, KAFKA, ERP = (
    "MuleSoft Anypoint Platform",
    "Okta",
    "Snowflake",
    "Heroku Kafka",
    "SAP S/4HANA",
)

RESOURCES = (
    DemoResource(MULESOFT, _I, "integration-platform",
                 "The integration layer between Salesforce, the ERP and the billing platform."),
    DemoResource(OKTA, _IDP, "salesforce-platform",
                 "Workforce single sign-on and MFA for every Salesforce org."),
    DemoResource(SNOWFLAKE, _STORE, "integration-platform",
                 "The enterprise data warehouse: reporting, scoring models and the archive."),
    DemoResource(KAFKA, _M, "integration-platform",
                 "Event streaming from platform events to downstream consumers."),
    DemoResource(ERP, _OTHER, "revenue-operations",
                 "The ERP: customer master, orders and the general ledger."),
)  # fmt: skip

_RUN, _DATA, _AUTH = DependencyKind.RUNTIME, DependencyKind.DATA, DependencyKind.AUTH
RESOURCE = "@"  # a target starting with it names a shared resource, not a service slug

# (source service, target service or "@resource", kind, why)
DEPENDENCIES = (
    ("lead-management", "identity-sso", _AUTH, "Sales reps sign in through Salesforce Identity."),
    ("einstein-lead-scoring", "lead-management", _DATA, "Scores the leads it reads."),
    ("einstein-lead-scoring", RESOURCE + SNOWFLAKE, _DATA, "Trains on historical conversions."),
    ("opportunity-pipeline", "account-hierarchy", _RUN, "Opportunities roll up by account."),
    ("opportunity-pipeline", "identity-sso", _AUTH, None),
    ("territory-management", "account-hierarchy", _DATA, "Assigns accounts to territories."),
    ("account-hierarchy", "erp-customer-sync", _DATA, "Customer master data comes from the ERP."),
    ("erp-customer-sync", RESOURCE + MULESOFT, _RUN, None),
    ("erp-customer-sync", RESOURCE + ERP, _DATA, "The customer master."),
    ("case-management", "omni-channel-routing", _RUN, "New cases are routed to agents."),
    ("case-management", "knowledge-base", _DATA, "Agents attach articles to cases."),
    ("case-management", "service-contracts-entitlements", _DATA, "Entitlements set case SLAs."),
    ("case-management", "identity-sso", _AUTH, None),
    ("customer-help-centre", "knowledge-base", _RUN, "Publishes the public articles."),
    ("customer-help-centre", "case-management", _RUN, "Web-to-case from the help centre."),
    ("field-service-scheduling", "case-management", _RUN, "Work orders start from cases."),
    ("einstein-bots", "knowledge-base", _DATA, None),
    ("einstein-bots", "case-management", _RUN, "Hands a chat over as a case."),
    ("legacy-email-to-case", "case-management", _RUN, None),
    ("marketing-cloud-journeys", "consent-preference-centre", _DATA, "Sends only with consent."),
    ("marketing-cloud-journeys", RESOURCE + SNOWFLAKE, _DATA, "Audience segments."),
    ("partner-portal", "identity-sso", _AUTH, "Partner logins."),
    ("partner-portal", "opportunity-pipeline", _DATA, "Partners register deals."),
    ("account-engagement-scoring", "marketing-cloud-journeys", _DATA, None),
    ("discount-approvals", "cpq-quoting", _RUN, None),
    # The deliberate cycle: quote -> order -> invoice -> back to the quote's pricing.
    ("cpq-quoting", "order-to-cash-integration", _RUN, "Accepted quotes become orders."),
    ("order-to-cash-integration", "billing-invoicing", _RUN, "Orders become invoices."),
    ("billing-invoicing", "cpq-quoting", _DATA, "Invoice lines read the quote's pricing."),
    ("order-to-cash-integration", RESOURCE + MULESOFT, _RUN, None),
    ("order-to-cash-integration", RESOURCE + ERP, _DATA, "Orders are booked in the ERP."),
    ("revenue-recognition", "billing-invoicing", _DATA, "Schedules follow invoices."),
    ("contract-lifecycle-management", "e-signature", _RUN, "Contracts are signed online."),
    ("data-subject-requests", "consent-preference-centre", _DATA, None),
    ("field-audit-trail", RESOURCE + SNOWFLAKE, _DATA, "Archived field history."),
    ("identity-sso", RESOURCE + OKTA, _AUTH, "Okta is the identity provider."),
    ("shield-event-monitoring", RESOURCE + KAFKA, _RUN, "Streams event logs."),
    ("platform-events-bus", RESOURCE + KAFKA, _RUN, None),
    ("crm-access-requests", "identity-sso", _RUN, "Grants permission sets."),
)  # fmt: skip


async def _resource(
    session: AsyncSession, resource: DemoResource, teams: dict[str, uuid.UUID]
) -> tuple[uuid.UUID, bool]:
    found = await repository.get_resource_by_name(session, resource.name)
    if found is not None:
        return found.id, False
    created = await actions.create_shared_resource(
        session,
        principal=SEED_PRINCIPAL,
        fields={
            "name": resource.name,
            "kind": resource.kind,
            "owner_team_id": teams[resource.team],
            "description": resource.description,
        },
    )
    return created.id, True


async def seed_demo_graph(session: AsyncSession, *, tally: Tally = ignore) -> int:
    """Add the demo's shared resources and dependencies; returns how many records it created.

    `tally(kind, created=...)` hears of each record, found or created.
    """
    teams = await ids_by_slug(session, Team)
    services = await ids_by_slug(session, Service)
    created = 0
    resources: dict[str, uuid.UUID] = {}
    for resource in RESOURCES:
        resources[resource.name], made = await _resource(session, resource, teams)
        tally("shared_resource", created=made)
        created += made
    for source, target, kind, description in DEPENDENCIES:
        to_resource = target.startswith(RESOURCE)
        target_service = None if to_resource else services[target]
        target_resource = resources[target.removeprefix(RESOURCE)] if to_resource else None
        existing = await repository.find_dependency(
            session,
            source_service_id=services[source],
            target_service_id=target_service,
            target_resource_id=target_resource,
            kind=kind,
        )
        if existing is None:
            await actions.create_dependency(
                session,
                principal=SEED_PRINCIPAL,
                source_service_id=services[source],
                target_service_id=target_service,
                target_resource_id=target_resource,
                kind=kind,
                description=description,
            )
            created += 1
        tally("dependency", created=existing is None)
    return created
