"""The GraphQL documents of the fault run beyond the bench's read mix (bench/documents.py)."""

from __future__ import annotations

from bench.documents import SERVICE_FIELDS

# One service with a live Salesforce field: its value, or null and SALESFORCE_UNAVAILABLE.
SERVICE_LIVE = (
    """
query ServiceLive($slug: String!) {
  service(slug: $slug) {"""
    + SERVICE_FIELDS
    + """    salesforceCaseSummary { open violated }
  }
}
"""
)

PROBE = """
query Probe($slug: String!) {
  service(slug: $slug) { slug salesforceCaseSummary { open violated } }
}
"""

SERVICES = """
query Services($after: String) {
  services(first: 100, after: $after) {
    edges { node { id slug salesforceOrgs { orgId } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CREATE_CHANNEL = """
mutation Channel($input: CreateNotificationChannelInput!) {
  createNotificationChannel(input: $input) {
    notificationChannel { id }
    userErrors { field message code }
  }
}
"""

CREATE_REQUEST = """
mutation Request($input: CreateServiceRequestInput!) {
  createServiceRequest(input: $input) {
    serviceRequest { id status version }
    userErrors { field message code }
  }
}
"""

TRANSITION_REQUEST = """
mutation Transition($input: TransitionServiceRequestInput!) {
  transitionServiceRequest(input: $input) {
    serviceRequest { id status version }
    userErrors { field message code }
  }
}
"""

REQUEST_STATE = """
query RequestState($id: ID!) {
  node(id: $id) { ... on ServiceRequest { id status version } }
}
"""

REPORT_INCIDENT = """
mutation Incident($input: ReportIncidentInput!) {
  reportIncident(input: $input) {
    incident { id }
    userErrors { field message code }
  }
}
"""
