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


def problem_schema(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these statuses (sent as problem+json)."""
    described = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        status: {
            "model": Problem,
            "description": title(status),
            "content": {PROBLEM_JSON: described},
        }
        for status in statuses
    }
