"""A request refused by a middleware before any route runs, answered in the shape its
route would use: a GraphQL response (in the media type the client accepts) on the GraphQL
paths, RFC 9457 problem details elsewhere."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Scope, Send

from core.problems import PROBLEM_JSON, Problem, title
from graphql_schema.http import JSON, content_type, response_media_type
from server.graphql_paths import GRAPHQL_PATHS


def refusal_body(scope: Scope, *, status: int, detail: str, code: str) -> tuple[bytes, str]:
    """The body and its media type."""
    payload: dict[str, Any]
    if scope["path"].rstrip("/") in GRAPHQL_PATHS:
        accepted = response_media_type(Headers(scope=scope).get("accept"))
        media_type = content_type(accepted) if accepted is not None else JSON
        payload = {"errors": [{"message": detail, "extensions": {"code": code}}]}
    else:
        media_type = PROBLEM_JSON
        payload = Problem(title=title(status), status=status, detail=detail).model_dump()
    return json.dumps(payload).encode(), media_type


async def send_refusal(
    scope: Scope,
    send: Send,
    *,
    status: int,
    detail: str,
    code: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    body, media_type = refusal_body(scope, status=status, detail=detail, code=code)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
