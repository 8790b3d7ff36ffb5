"""RFC 9457 problem details, with the field errors our API reports everywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
# RFC 9110 renamed these; Python 3.11's HTTPStatus still has the old phrases.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def title(status: int) -> str:
    return TITLES.get(status) or HTTPStatus(status).phrase


class FieldProblem(BaseModel):
    field: str | None
    message: str
    code: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = []


def problem(
    status: int,
    detail: str,
    *,
    errors: Sequence[FieldProblem] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title(status), status=status, detail=detail, errors=list(errors))
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {})
    )


# Headers a problem of this status always carries.
PROBLEM_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    401: {
        "WWW-Authenticate": {
            "description": 'The challenge: `Bearer`, or `Bearer error="invalid_token"`.',
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


def problem_schema(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these statuses, sent as problem+json only.

    No `model`: FastAPI would describe it under application/json as well. The document
    gets `Problem` from `problem_components()` instead (server/openapi.py).
    """
    described = {"schema": {"$ref": "#/components/schemas/Problem"}}
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        response: dict[str, Any] = {
            "description": title(status),
            "content": {PROBLEM_JSON: described},
        }
        if status in PROBLEM_HEADERS:
            response["headers"] = PROBLEM_HEADERS[status]
        responses[status] = response
    return responses


def problem_components() -> dict[str, dict[str, Any]]:
    """`Problem` and `FieldProblem`, as entries of the document's `components.schemas`."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, dict[str, Any]] = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}
