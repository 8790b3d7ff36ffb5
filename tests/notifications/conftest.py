"""What the notification tests share: a real HTTP receiver and the senders' HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from notifications.senders.http import make_client
from tests.notifications.receivers import HttpReceiver


@pytest.fixture
async def receiver() -> AsyncIterator[HttpReceiver]:
    async with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The senders' client, with short time limits so that failing cases end quickly."""
    async with make_client(connect_timeout_s=0.5, total_timeout_s=0.5) as client:
        yield client
