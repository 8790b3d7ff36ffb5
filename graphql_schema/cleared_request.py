"""A POST the compiled read path may answer without Strawberry's view: its parts, or None.

Only a body exactly as the GraphQL-over-HTTP spec writes it qualifies: `application/json`
in UTF-8, an `Accept` we serve, a JSON object with a string `query`, an `operationName`
that is a string or absent, `variables` an object or absent, and no other member but a
`documentId` or an APQ `extensions.persistedQuery` the document store resolves (the
request then runs the store's document, under the same trusted-documents rules as the
view: anything the store refuses takes the view, which reports it).
Anything else — a batch, a GET, a malformed body — takes the view, which answers or
refuses it with the right status; so does a cleared-looking request the fast path declines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql_schema.trusted_documents import DocumentRefusal, DocumentStore

JSON_BODIES = frozenset(
    {"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
)


@dataclass(frozen=True, slots=True)
class ClearedRequest:
    query: str
    operation_name: str | None
    variables: Mapping[str, Any] | None


REQUEST_MEMBERS = frozenset({"query", "operationName", "variables"})
PERSISTED_MEMBERS = REQUEST_MEMBERS | {"documentId", "extensions"}


def cleared_request(
    content_type: str | None,
    body: bytes,
    documents: DocumentStore | None = None,
    *,
    exempt: bool = False,
) -> ClearedRequest | None:
    """The request's parts; `documents` (the view's store, if any) names the query run."""
    if content_type is None or content_type.lower() not in JSON_BODIES:
        return None
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return None
    members = PERSISTED_MEMBERS if documents is not None else REQUEST_MEMBERS
    if not isinstance(data, dict) or data.keys() - members:
        return None
    query, operation_name = data.get("query"), data.get("operationName")
    variables, extensions = data.get("variables"), data.get("extensions")
    if (
        not isinstance(query, (str, type(None)))
        or not isinstance(operation_name, (str, type(None)))
        or not isinstance(variables, (dict, type(None)))
        or not isinstance(extensions, (dict, type(None)))
        or (extensions is not None and extensions.keys() != {"persistedQuery"})
    ):
        return None
    if documents is not None:
        try:
            query = documents.resolve(
                query=query,
                document_id=data.get("documentId"),
                extensions=extensions,
                exempt=exempt,
            )
        except DocumentRefusal:
            return None
    if query is None:
        return None
    return ClearedRequest(query, operation_name, variables)


__all__ = ["ClearedRequest", "cleared_request"]
