"""A subscription over the websocket refuses a control character like any other operation."""

# ruff: noqa: F811  (the live-update fixtures are imported from test_live_updates)
from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.settings import Settings, load_settings
from tests.dev_token import DEV_AUTHORIZATION
from tests.server.test_live_updates import (  # noqa: F401  (fixtures)
    FEEDBACK,
    Running,
    receive,
    serve,
    subscribe,
    subscribed,
)


async def test_a_nul_in_a_subscription_argument_is_bad_user_input(
    serve: Callable[[Settings], Awaitable[Running]],
) -> None:
    running = await serve(load_settings(database_url="postgresql://unused/unused", _env_file=None))

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(websocket, "nul", FEEDBACK, {"serviceId": "a\x00"})
        refused = await receive(websocket)

    assert refused == {
        "id": "nul",
        "type": "error",
        "payload": [
            {
                "message": "serviceId of feedbackSubmitted contains U+0000 (NUL): control"
                " characters are not accepted",
                "locations": [{"line": 2, "column": 59}],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
