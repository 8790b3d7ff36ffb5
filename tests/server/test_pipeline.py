"""The request pipeline is pure ASGI: no `BaseHTTPMiddleware` (which runs the rest of the
stack in a task of its own and buffers through memory streams) anywhere in the hot path."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.middleware.base import BaseHTTPMiddleware

from core.settings import Settings
from feedback.routes import submission_door
from server.app import create_app
from tests.dev_token import DEV_TOKEN


def _stack(app: Any) -> list[Any]:
    layers: list[Any] = []
    while app is not None and len(layers) < 50:
        layers.append(app)
        app = getattr(app, "app", None)
    return layers


def test_every_middleware_is_plain_asgi(settings: Settings) -> None:
    app = create_app(settings, dev_token=DEV_TOKEN)

    layers = _stack(app.build_middleware_stack())

    names = [type(layer).__name__ for layer in layers]
    assert "AuthenticationMiddleware" in names
    assert "CorrelationIdMiddleware" in names
    assert not [layer for layer in layers if isinstance(layer, BaseHTTPMiddleware)], names
    assert app.user_middleware  # the stack was walked, not skipped
    assert not [m for m in app.user_middleware if issubclass(m.cls, BaseHTTPMiddleware)]  # type: ignore[arg-type]


async def test_a_feedback_submission_skips_the_router_and_other_methods_do_not(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    app = create_app(settings, dev_token=DEV_TOKEN)
    lanes = next(
        layer for layer in _stack(app.build_middleware_stack()) if type(layer).__name__ == "Lanes"
    )

    assert lanes.post == {"/api/feedback": submission_door}
    refused = await client.get("/api/feedback")  # no lane for GET: the router's 405
    assert (refused.status_code, refused.headers["allow"]) == (405, "POST")
    invalid = await client.post("/api/feedback", json={"kind": "IDEA"})  # the lane's answer
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"
