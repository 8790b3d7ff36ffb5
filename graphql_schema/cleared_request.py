"""A POST the compiled read path may answer without Strawberry's view: its parts, or None.

Only a body exactly as the GraphQL-over-HTTP spec writes it qualifies: `application/json`
in UTF-8, an `Accept` we serve, a JSON object with a string `query`, an `operationName`
that is a string or absent, `variables` an object or absent, and no `extensions`.
Anything else — a batch, a GET, a malformed body — takes the view, which answers or
refuses it with the right status; so does a cleared-looking request the fast path declines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON_BODIES = frozenset(
    {"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
)


@dataclass(frozen=True, slots=True)
class ClearedRequest:
    query: str
    operation_name: str | None
    variables: Mapping[str, Any] | None


def cleared_request(content_type: str | None, body: bytes) -> ClearedRequest | None:
    if content_type is None or content_type.lower() not in JSON_BODIES:
        return None
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(data, dict) or data.keys() - {"query", "operationName", "variables"}:
        return None
    query, operation_name = data.get("query"), data.get("operationName")
    variables = data.get("variables")
    if (
        not isinstance(query, str)
        or not isinstance(operation_name, (str, type(None)))
        or not isinstance(variables, (dict, type(None)))
    ):
        return None
    return ClearedRequest(query, operation_name, variables)


__all__ = ["ClearedRequest", "cleared_request"]
