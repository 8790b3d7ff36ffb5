"""POST /api/feedback refuses control characters with a 422 naming the field; nothing stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.models import Feedback

BODY = {"service": "case-management", "kind": "IDEA", "title": "Bulk close", "body": "Please."}


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Feedback)) or 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("service", "case\x00management", "service contains U+0000 (NUL)"),
        ("title", "Bulk\x00close", "title contains U+0000 (NUL)"),
        ("title", "Bulk\nclose", "title contains U+000A (line feed)"),
        ("body", "Please\x00.", "body contains U+0000 (NUL)"),
        (
            "body",
            "Line one.\nLine two\x1b.",
            "body contains U+001B (a control character) on line 2",
        ),
    ],
)
async def test_a_control_character_is_a_422_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient,
    service: Any,
    session: AsyncSession,
    field: str,
    value: str,
    message: str,
) -> None:
    response = await client.post("/api/feedback", json={**BODY, field: value})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, "INVALID")
    assert error["message"].startswith(message)
    assert await _count(session) == 0


async def test_line_breaks_and_tabs_in_the_body_are_kept(
    client: httpx.AsyncClient, service: Any, session: AsyncSession
) -> None:
    body = "Steps:\r\n\t1. open a case\n\t2. close it"

    response = await client.post("/api/feedback", json={**BODY, "body": body})

    assert response.status_code == 201
    assert await session.scalar(select(Feedback.body)) == body


async def test_a_control_character_in_the_idempotency_key_is_a_422(
    client: httpx.AsyncClient, service: Any, session: AsyncSession
) -> None:
    response = await client.post("/api/feedback", json=BODY, headers={"Idempotency-Key": "k\t1"})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "Idempotency-Key"
    assert error["message"].startswith("Idempotency-Key contains U+0009 (tab)")
    assert await _count(session) == 0
