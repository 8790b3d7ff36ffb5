"""The paths answered as GraphQL: refusals made before any route runs take GraphQL's shape there."""

from __future__ import annotations

GRAPHQL_PATH = "/graphql"
# The federation subgraph (graphql_schema/federation): answered as /graphql is.
SUBGRAPH_PATH = "/subgraph"
GRAPHQL_PATHS = frozenset({GRAPHQL_PATH, SUBGRAPH_PATH})
