"""The GraphQL documents the benchmark sends, each a module constant."""

from __future__ import annotations

# Everything a catalog list shows of a service and of the records one hop away
# (two for the team's business unit and an org's parent). Audited fields (`Person.email`,
# `SalesforceOrg.credentialsRef`) are left out: reading them writes an audit event, a
# different workload. So are the per-record `history` connections.
SERVICE_FIELDS = """
  id slug name description tier lifecycle tags
  links { runbook repo dashboard }
  salesforceKey dataClassification complianceRegimes
  businessCalendar { timeZone weeklyHours { day start end } holidays }
  backupPolicy { rpoSeconds rtoSeconds lastVerifiedRestoreAt }
  reviewIntervalDays lastReviewedAt reviewDueAt stale
  archivedAt version createdAt updatedAt
  ownerTeam {
    id name slug kind contactEmail chatChannel version createdAt updatedAt
    businessUnit { id name version createdAt updatedAt }
  }
  ownershipRoles {
    id role effectiveFrom effectiveTo current version
    person { id displayName active lastSeenAt version }
  }
  productOwners { id displayName }
  salesforceOrgs {
    id orgId name instanceUrl kind lastRefreshedAt expiresAt
    backupPolicy { provider rpoSeconds lastVerifiedRestoreAt }
    version createdAt updatedAt
    parent { id orgId name kind }
  }
"""

# Relations the selection above reads, i.e. what prefetch by selection must load:
# ownerTeam, ownerTeam.businessUnit, ownershipRoles, ownershipRoles.person (shared with
# productOwners), salesforceOrgs, salesforceOrgs.parent.
SELECTED_RELATIONS = 6

SERVICES_PAGE = (
    """
query ServicesPage($first: Int!, $after: String) {
  services(first: $first, after: $after) {
    edges {
      cursor
      node {"""
    + SERVICE_FIELDS
    + """      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
)

SERVICE_BY_SLUG = (
    """
query ServiceBySlug($slug: String!) {
  service(slug: $slug) {"""
    + SERVICE_FIELDS
    + """  }
}
"""
)

TYPENAME = "{ __typename }"

CREATE_SERVICE = """
mutation CreateService($input: CreateServiceInput!) {
  createService(input: $input) {
    service { slug name tier lifecycle version }
    userErrors { field message code }
  }
}
"""

# The organisation's KPI roll-up: every objective of every live SLA over the last 30 days,
# every metric pooled over all the services, the ten worst objectives. `asOf` is the moment
# the bench data was generated from, so the answer holds all run long.
KPI_SUMMARY = """
query KpiSummary($asOf: DateTime!) {
  kpiSummary(scope: ORGANISATION, window: {kind: ROLLING_DAYS, days: 30}, asOf: $asOf) {
    serviceCount objectiveCount
    statusCounts { met atRisk breached noData }
    metrics { metric value samples share }
    worstOffenders(first: 10) { status currentValue errorBudget service { slug } }
  }
}
"""
