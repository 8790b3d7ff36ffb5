"""How many items each plain list of objects holds at most, as the cost model assumes.

A connection is sized by the page asked for; a plain list (one without `first`/`last`) is
sized here, by what the domain knows of it: a service has a handful of SLAs, an SLA a
handful of objectives, a release a few dozen items. Every plain list of objects in the
schema has its line (a test checks it), so a new one cannot go uncosted.
"""

from __future__ import annotations

from typing import Final

# Every mutation payload's `userErrors`: one per input field at most, in practice a few.
USER_ERRORS: Final = 5

LIST_SIZES: Final[dict[str, int]] = {
    # The catalog.
    "Service.slas": 5,
    "Service.aiModels": 5,
    "AIModel.latestEvaluations": 4,
    "Sla.objectives": 5,
    "Service.openIncidents": 10,
    # The release calendar: a service sees a few releases a month; a team runs some more.
    "Service.releases": 50,
    "Team.releases": 100,
    "Query.calendarTokens": 20,  # the caller's own, a few per device
    "Service.ownershipRoles": 10,
    "Service.productOwners": 5,
    "Service.salesforceOrgs": 5,
    "DataLossReadiness.orgs": 5,  # its production orgs
    "Service.salesforceCases": 20,
    "Service.salesforceIdeas": 20,
    # A service leans on a few others; the walks (`transitive`) find more, a few hops deep.
    "Service.dependencies": 10,
    "Service.dependents": 10,
    "SharedResource.dependents": 20,
    "DependencyEdge.path": 5,
    "Service.dependencyCycles": 20,  # services over every cycle through the service
    "Query.dependencyCycles": 100,
    "Query.servicesNotReadyFor": 50,
    "Version.changes": 10,
    "BusinessCalendar.weeklyHours": 7,
    "SalesforceLimits.all": 50,
    # Provisioning drift: what a reconciliation found out of step, usually a handful.
    "ProvisioningDrift.deactivatedButActive": 50,
    "ProvisioningDrift.unmatchedActiveUsers": 100,
    "SalesforceOrg.licences": 20,
    # A production org keeps a few dozen sandboxes at most; a Dev Hub lists its active
    # scratch orgs (up to its edition's allocation), a team's share far fewer.
    "SalesforceOrg.sandboxes": 50,
    "SalesforceOrg.scratchOrgs": 100,
    "Team.expiringScratchOrgs": 50,
    "BacklogItem.sandboxesMissingFix": 20,
    # Event Monitoring: one item per day of the window asked for (at most 366).
    "ServiceAdoption.days": 366,
    # People and teams.
    "BusinessUnit.teams": 20,
    "Team.memberships": 20,
    "Person.memberships": 5,
    "Viewer.teams": 5,
    # Work.
    "Incident.services": 5,
    "Incident.statusHistory": 10,
    "Incident.hotfixes": 5,
    "ServiceRequest.statusHistory": 10,
    "Feedback.statusHistory": 10,
    "Release.services": 20,
    "Release.items": 50,
    "Release.readiness": 20,
    "Sprint.items": 50,
    "BacklogItem.designReviews": 5,
    "BacklogItem.affectedOrgs": 5,
    "BacklogItem.pendingOrgs": 5,
    "BacklogItem.deployments": 10,
    # Service levels: one point per bucket asked for, a year of weeks.
    "ClockPolicy.targets": 5,
    "KpiSummary.metrics": 10,
    "KpiSummary.series": 52,
    "Objective.series": 52,
    # Vendor incidents: an org's newest 50 at most; an incident overlaps one or two.
    "SalesforceOrg.vendorIncidents": 50,
    "Incident.vendorIncidents": 3,
    # A seasonal release's upgrade dates, one per org.
    "Release.orgSchedule": 20,
    # An import's report: one line per record, at most catalog_import's MAX_RECORDS.
    "CatalogImportReport.records": 2000,
    # One per value stream.
    "Query.valueStreamMetrics": 3,
    "KpiSummary.timeToMarketByStage": 3,
}


def list_size(type_name: str, field_name: str) -> int | None:
    """The items `type_name.field_name` holds at most, if it is a plain list we know."""
    if field_name == "userErrors":
        return USER_ERRORS
    return LIST_SIZES.get(f"{type_name}.{field_name}")


__all__ = ["LIST_SIZES", "USER_ERRORS", "list_size"]
