"""A request the pipeline cleared before is answered straight from its plan — and only that:
another caller, a larger page, a control character or a variable that does not coerce goes
the whole way again and gets the whole way's answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from core.settings import ReadPath, Settings
from graphql_schema.cleared_request import ClearedRequest, cleared_request
from graphql_schema.compiled.extension import CompiledReadPath
from graphql_schema.http import GRAPHQL_RESPONSE_JSON, CatalogGraphQL
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


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The POSTs that went through Strawberry's view (not the cleared lane of http.py)."""
    seen: list[str] = []
    original = CatalogGraphQL.run

    async def counted(self: CatalogGraphQL, request: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(request.method)
        return await original(self, request, *args, **kwargs)

    monkeypatch.setattr(CatalogGraphQL, "run", counted)
    return seen


@pytest.mark.parametrize("accept", [None, "application/json", GRAPHQL_RESPONSE_JSON])
async def test_a_cleared_post_is_answered_byte_for_byte_as_the_whole_way_did(
    compiled: httpx.AsyncClient, views: list[str], accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    body = {"query": PAGE, "variables": {"first": 2, "search": None}}
    first = await compiled.post("/graphql", json=body, headers=headers)
    again = await compiled.post("/graphql", json=body, headers=headers)

    assert views == ["POST"]  # the second never reached the view
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.json()["data"]["services"]["totalCount"] == 3


async def test_a_cleared_document_sent_wrongly_is_refused_as_ever(
    compiled: httpx.AsyncClient, views: list[str]
) -> None:
    body = {"query": PAGE, "variables": {"first": 2, "search": None}}
    await compiled.post("/graphql", json=body)
    await compiled.post("/graphql", json=body)
    assert views == ["POST"]

    as_text = await compiled.post(
        "/graphql", content=json.dumps(body), headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    refused_accept = await compiled.post("/graphql", json=body, headers={"Accept": "text/html"})
    assert refused_accept.status_code == 406
    with_extensions = await compiled.post("/graphql", json={**body, "extensions": []})
    assert with_extensions.status_code == 400
    batch = await compiled.post("/graphql", json=[body])
    assert batch.status_code == 400
    # Each of them took the whole way, which refused it; the cleared one still answers.
    assert views == ["POST"] * 5
    again = await compiled.post("/graphql", json=body)
    assert again.json()["data"]["services"]["totalCount"] == 3
    assert views == ["POST"] * 5


def test_only_a_plain_json_operation_qualifies_for_the_cleared_lane() -> None:
    plain = json.dumps({"query": "{ a }", "operationName": None, "variables": {"x": 1}})
    assert cleared_request("application/json", plain.encode()) == ClearedRequest(
        "{ a }", None, {"x": 1}
    )
    assert cleared_request("Application/JSON; charset=UTF-8", b'{"query": "{ a }"}')
    for content_type, body in [
        (None, b'{"query": "{ a }"}'),
        ("application/json; charset=latin-1", b'{"query": "{ a }"}'),
        ("application/json", b'{"query": "{ a }"'),  # not JSON
        ("application/json", b"\xff\xfe"),  # not UTF-8
        ("application/json", b'[{"query": "{ a }"}]'),  # a batch
        ("application/json", b'{"query": null}'),
        ("application/json", b'{"query": "{ a }", "operationName": 3}'),
        ("application/json", b'{"query": "{ a }", "variables": []}'),
        ("application/json", b'{"query": "{ a }", "extensions": {}}'),
    ]:
        assert cleared_request(content_type, body) is None, (content_type, body)
