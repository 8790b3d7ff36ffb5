"""The request id: asgi-correlation-id's, the one place it comes from.

A caller's `X-Request-ID` is kept when it is a short token of safe characters (so it can
go into logs and the audit log as it is); otherwise, or without one, a new UUID is made.
Either way it is sent back in the `X-Request-ID` response header.
"""

from __future__ import annotations

import re
import uuid

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.applications import Starlette

HEADER = "X-Request-ID"
ACCEPTED = re.compile(r"[A-Za-z0-9._:@+=/-]{1,200}")


def acceptable(value: str) -> bool:
    return ACCEPTED.fullmatch(value) is not None


def new_request_id() -> str:
    return str(uuid.uuid4())


def add_request_id(app: Starlette) -> None:
    """Add the middleware; outside every other, so that all of them see the id."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=HEADER,
        generator=new_request_id,
        validator=acceptable,
    )
