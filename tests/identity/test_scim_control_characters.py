"""SCIM refuses control characters: a 400 invalidValue naming the attribute; nothing stored."""

# ruff: noqa: F811  (the SCIM fixtures are imported from test_scim_users and used by name)
from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.models import Person
from tests.identity.test_scim_users import (  # noqa: F401  (fixtures)
    assert_scim_error,
    create_user,
    patch,
    scim,
    scim_settings,
    user_payload,
)


async def _people(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({"userName": "ada\x00@example.test"}, "userName contains U+0000 (NUL)"),
        ({"displayName": "Ada\nLovelace"}, "displayName contains U+000A (line feed)"),
        ({"name": {"givenName": "A\x07da"}}, "name.givenName contains U+0007"),
        ({"emails": [{"value": "ada@example.test\x00"}]}, "emails[0].value contains U+0000"),
        ({"externalId": "\x1f"}, "externalId contains U+001F"),
    ],
)
async def test_a_created_user_with_a_control_character_is_refused_naming_it(
    scim: httpx.AsyncClient, session: AsyncSession, attributes: dict[str, Any], named: str
) -> None:
    before = await _people(session)
    payload = {**user_payload("ada@example.test"), **attributes}

    response = await scim.post("/scim/v2/Users", json=payload)

    body = assert_scim_error(response, 400, "invalidValue")
    assert body["detail"].startswith(named)
    assert await _people(session) == before


async def test_a_patch_with_a_control_character_is_refused_and_changes_nothing(
    scim: httpx.AsyncClient,
) -> None:
    user = await create_user(scim, "grace@example.test", displayName="Grace")

    response = await patch(
        scim, user["id"], {"op": "replace", "path": "displayName", "value": "Gr\x00ace"}
    )

    body = assert_scim_error(response, 400, "invalidValue")
    assert body["detail"].startswith("Operations[0].value contains U+0000 (NUL)")
    stored = await scim.get(f"/scim/v2/Users/{user['id']}")
    assert stored.json()["displayName"] == "Grace"


async def test_a_replaced_user_with_a_control_character_is_refused(
    scim: httpx.AsyncClient,
) -> None:
    user = await create_user(scim, "linus@example.test")

    response = await scim.put(
        f"/scim/v2/Users/{user['id']}",
        json=user_payload("linus@example.test", displayName="Li\tnus"),
    )

    body = assert_scim_error(response, 400, "invalidValue")
    assert body["detail"].startswith("displayName contains U+0009 (tab)")


@pytest.mark.parametrize("expression", ['userName eq "a\\u0000b"', 'emails[value co "\\u0000"]'])
async def test_a_filter_value_with_a_control_character_is_invalid_filter(
    scim: httpx.AsyncClient, expression: str
) -> None:
    response = await scim.get("/scim/v2/Users", params={"filter": expression})

    body = assert_scim_error(response, 400, "invalidFilter")
    assert "U+0000 (NUL)" in body["detail"]
