"""A search's hits: each its node (any searchable object), its rank and a snippet."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_schema.catalog.ai_models.types import AIModel
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.services.types import Service
from graphql_schema.connection import PageInfo
from graphql_schema.feedback.types import Feedback
from graphql_schema.identity.types import Person, Team
from graphql_schema.service_levels.slas.types import Sla
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.incidents.types import Incident
from graphql_schema.work.releases.types import Release
from graphql_schema.work.requests.types import ServiceRequest
from service_levels.search import SearchKind

SearchResult = Annotated[
    Service
    | Team
    | Person
    | SalesforceOrg
    | ServiceRequest
    | Incident
    | Feedback
    | BacklogItem
    | Release
    | Sla
    | AIModel,
    strawberry.union("SearchResult", description="Anything a search finds."),
]

# The node type (global id type name) each kind of hit is.
TYPE_NAMES: dict[SearchKind, str] = {
    SearchKind.SERVICE: "Service",
    SearchKind.TEAM: "Team",
    SearchKind.PERSON: "Person",
    SearchKind.SALESFORCE_ORG: "SalesforceOrg",
    SearchKind.REQUEST: "ServiceRequest",
    SearchKind.INCIDENT: "Incident",
    SearchKind.FEEDBACK: "Feedback",
    SearchKind.BACKLOG_ITEM: "BacklogItem",
    SearchKind.RELEASE: "Release",
    SearchKind.SLA: "Sla",
    SearchKind.AI_MODEL: "AIModel",
}


@strawberry.type(description="One thing a search found, with how well it matched.")
class SearchHit:
    cursor: str
    node: SearchResult
    rank: float = strawberry.field(
        description="Relevance, higher is better: the full-text rank (a name or title "
        "weighs most), or a tenth of the title's word similarity when only a typo matched."
    )
    snippet: str | None = strawberry.field(
        description="Where the query matched, HTML-escaped, matches wrapped in <mark>…</mark>."
    )


@strawberry.type(description="Hits by relevance, then the most recently changed first.")
class SearchConnection:
    edges: list[SearchHit]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the hits, for clients that need no cursors.")
    def nodes(self) -> list[SearchResult]:
        return [edge.node for edge in self.edges]
