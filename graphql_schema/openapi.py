"""`/graphql`'s GET and POST as `/openapi.json` describes them (graphql_schema/http.py)."""

from __future__ import annotations

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
PARTIAL_SUCCESS = 294

MEDIA_TYPES_NOTE = (
    f"A client accepting {GRAPHQL_RESPONSE_JSON} gets the GraphQL-over-HTTP statuses"
    " (a request error has no `data`); one accepting application/json, or saying nothing,"
    " gets 200 for every well-formed request, its errors in `errors`."
)
_GRAPHQL_ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"line": {"type": "integer"}, "column": {"type": "integer"}},
            },
        },
        "path": {"type": "array", "items": {"type": ["string", "integer"]}},
        "extensions": {
            "type": "object",
            "properties": {"code": {"type": "string", "description": "e.g. UNAUTHENTICATED"}},
        },
    },
}
_GRAPHQL_RESPONSE = {
    "type": "object",
    "properties": {
        "data": {"type": ["object", "null"]},
        "errors": {"type": "array", "items": _GRAPHQL_ERROR},
        "extensions": {
            "type": "object",
            "properties": {
                "cost": {
                    "type": "object",
                    "description": "What the operation was estimated to fetch, and the most"
                    " one operation may (CATALOG_MAX_COST)",
                    "properties": {
                        "requested": {"type": "integer"},
                        "limit": {"type": "integer"},
                    },
                }
            },
        },
    },
}
_STATUSES: dict[int, str] = {
    200: "The result (under application/json, also a result with errors)",
    PARTIAL_SUCCESS: f"Partial success: data and errors ({GRAPHQL_RESPONSE_JSON} only)",
    400: "The request or its document cannot be read: not JSON, no query, a syntax error,"
    " too many tokens, invalid variables",
    401: "No valid credentials (an invalid token; or none, when anonymous reads are off)",
    404: "PERSISTED_QUERY_NOT_FOUND: no document is known by the `documentId` or APQ hash",
    403: f"Not allowed ({GRAPHQL_RESPONSE_JSON} only)",
    405: "A mutation sent with GET",
    406: f"`Accept` names neither {GRAPHQL_RESPONSE_JSON} nor {JSON}",
    413: "The body is over CATALOG_MAX_BODY_BYTES",
    415: f"The body is not {JSON} in UTF-8",
    422: "The document fails validation or a limit: depth, aliases, cost, page size"
    f" ({GRAPHQL_RESPONSE_JSON} only)",
    429: "RATE_LIMITED: the caller's CATALOG_COST_PER_MINUTE budget cannot cover the"
    " operation; nothing ran",
    504: f"Stopped past CATALOG_EXECUTION_TIMEOUT_S; nothing changed ({GRAPHQL_RESPONSE_JSON}"
    " only)",
}
_HEADERS: dict[int, dict[str, object]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
    405: {"Allow": {"required": True, "schema": {"type": "string", "enum": ["POST"]}}},
    429: {
        "Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}},
        "RateLimit": {"schema": {"type": "string"}, "description": 'e.g. "cost";r=7;t=12'},
        "RateLimit-Policy": {
            "schema": {"type": "string"},
            "description": 'e.g. "cost";q=100000;w=60',
        },
    },
}


def responses(*statuses: int, html: bool = False) -> dict[int | str, dict[str, object]]:
    """/graphql's answers for the OpenAPI description (GraphiQL's page with `html`)."""
    described: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        content: dict[str, object] = {
            media_type: {"schema": _GRAPHQL_RESPONSE}
            for media_type in (JSON, GRAPHQL_RESPONSE_JSON)
        }
        if html and status == 200:
            content["text/html"] = {"schema": {"type": "string"}}
        response: dict[str, object] = {"description": _STATUSES[status], "content": content}
        if status in _HEADERS:
            response["headers"] = _HEADERS[status]
        described[status] = response
    return described
