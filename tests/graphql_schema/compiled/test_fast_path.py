"""A request the pipeline cleared before is answered straight from its plan — and only that:
another caller, a larger page, a control character or a variable that does not coerce goes
the whole way again and gets the whole way's answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from core.settings import ReadPath, Settings
from graphql_schema.compiled.extension import CompiledReadPath
from tests.graphql import gql

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]

PAGE = """
query Page($first: Int!, $search: String) {
  services(first: $first, filter: {search: $search}) {
    totalCount
    nodes { slug name ownerTeam { name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ROLES = "query($slug: String!) { service(slug: $slug) { slug ownershipRoles { role } } }"

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
async def compiled(settings: Settings, make_client: MakeClient) -> httpx.AsyncClient:
    return await make_client(settings.model_copy(update={"read_path": ReadPath.COMPILED}))


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations that went through the extensions (not the fast path)."""
    seen: list[str] = []
    original = CompiledReadPath.on_execute

    async def counted(self: CompiledReadPath) -> AsyncIterator[None]:
        seen.append(self.execution_context.operation_name or "")
        async for _ in original(self):
            yield

    monkeypatch.setattr(CompiledReadPath, "on_execute", counted)
    return seen


async def test_a_repeated_request_skips_the_pipeline_and_answers_the_same(
    compiled: httpx.AsyncClient, executions: list[str]
) -> None:
    first = await gql(compiled, PAGE, {"first": 2, "search": None})
    again = await gql(compiled, PAGE, {"first": 2, "search": None})
    assert again == first
    assert first["data"]["services"]["totalCount"] == 3
    assert executions == ["Page"]  # the second came straight from the plan
    other_page = await gql(compiled, PAGE, {"first": 1, "search": None})
    assert len(other_page["data"]["services"]["nodes"]) == 1
    assert executions == ["Page", "Page"]  # another page size: cleared again first


async def test_what_was_not_cleared_goes_the_whole_way(compiled: httpx.AsyncClient) -> None:
    await gql(compiled, PAGE, {"first": 2, "search": "zur"})
    await gql(compiled, PAGE, {"first": 2, "search": "zur"})

    too_large = await gql(compiled, PAGE, {"first": 101, "search": "zur"})
    assert too_large["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"
    control = await gql(compiled, PAGE, {"first": 2, "search": "z\x00r"})
    assert control["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in control or control["data"] is None
    uncoerced = await gql(compiled, PAGE, {"first": "two", "search": "zur"})
    assert uncoerced["errors"][0]["message"].startswith("Variable '$first'")

    await gql(compiled, ROLES, {"slug": "checkout"})
    await gql(compiled, ROLES, {"slug": "checkout"})
    # The same app, without the development token: anonymous.
    async with httpx.AsyncClient(
        transport=compiled._transport, base_url="http://test"
    ) as anonymous:
        refused = await gql(anonymous, ROLES, {"slug": "checkout"})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
