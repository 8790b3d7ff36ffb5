"""Trusted documents (`documentId`) and Apollo's APQ (SPEC §4 Frontends): manifest ids
run, on the whole way and then the fast lane; unknown ids, malformed ids and mismatched
hashes are refused with nothing run; `enforce` runs the manifest only (GraphiQL exempt in
dev); a bad manifest stops start-up."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import Environment, ReadPath, Settings, TrustedDocuments
from graphql_schema.compiled.extension import CompiledReadPath
from graphql_schema.trusted_documents import GRAPHIQL_HEADER
from tests.builders.catalog import create_service
from tests.builders.identity import create_business_unit, create_team
from tests.graphql import without_cost

MakeClient = Callable[[Settings], Awaitable[httpx.AsyncClient]]
SERVICE_CATALOG = Path(sys.executable).with_name("service-catalog")
SPEC = {"accept": "application/graphql-response+json"}

SLUGS = "query Slugs { services(first: 2) { nodes { slug } } }"
NAMES = "query Names { services(first: 2) { nodes { name } } }"  # never in the manifest


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
async def catalog(session: AsyncSession) -> None:
    unit = await create_business_unit(session, name="Sales Cloud")
    team = await create_team(session, name="Payments", business_unit_id=unit.id)
    for slug in ("billing", "checkout", "ledger"):
        await create_service(session, slug=slug, name=slug.title(), owner_team_id=team.id)


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256(SLUGS): SLUGS}))
    return path


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations that went the whole way (not the fast lane)."""
    seen: list[str] = []
    original = CompiledReadPath.on_execute

    async def counted(self: CompiledReadPath) -> AsyncIterator[None]:
        seen.append(self.execution_context.operation_name or "")
        async for _ in original(self):
            yield

    monkeypatch.setattr(CompiledReadPath, "on_execute", counted)
    return seen


@pytest.fixture
def client_in(
    settings: Settings, manifest: Path, make_client: MakeClient
) -> Callable[..., Awaitable[httpx.AsyncClient]]:
    async def make(mode: TrustedDocuments, **update: Any) -> httpx.AsyncClient:
        changes = {
            "read_path": ReadPath.COMPILED,
            "trusted_documents": mode,
            "trusted_documents_file": manifest,
        }
        return await make_client(settings.model_copy(update=changes | update))

    return make


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_a_manifest_id_runs_then_comes_from_the_lane(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]], executions: list[str]
) -> None:
    client = await client_in(TrustedDocuments.ENFORCE)
    body = {"documentId": f"sha256:{sha256(SLUGS)}", "operationName": "Slugs"}

    first = await client.post("/graphql", json=body)
    again = await client.post("/graphql", json=body)

    assert first.status_code == 200, first.text
    assert len(first.json()["data"]["services"]["nodes"]) == 2
    assert again.content == first.content
    assert executions == ["Slugs"]  # the second came straight from the plan

    # A free-text query after a cleared manifest request: the lane refuses it too.
    refused = await client.post("/graphql", json={"query": NAMES}, headers=SPEC)
    assert refused.status_code == 400
    assert code_of(refused) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert executions == ["Slugs"]


@pytest.mark.parametrize("mode", list(TrustedDocuments))
async def test_an_unknown_id_is_not_found(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]],
    executions: list[str],
    mode: TrustedDocuments,
) -> None:
    client = await client_in(mode)
    for body in (
        {"documentId": f"sha256:{sha256(NAMES)}"},
        {"extensions": apq(NAMES)},
    ):
        response = await client.post("/graphql", json=body)
        assert response.status_code == 404, response.text
        assert response.json() == {
            "errors": [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
        }
    assert executions == []


@pytest.mark.parametrize(
    "body",
    [
        {"documentId": sha256(SLUGS)},  # no scheme
        {"documentId": f"md5:{sha256(SLUGS)}"},
        {"documentId": "sha256:abc"},
        {"documentId": 12},
        {"documentId": f"sha256:{sha256(SLUGS)}", "query": SLUGS},  # both
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(SLUGS)}}},
    ],
)
async def test_a_malformed_id_is_bad_user_input(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]],
    executions: list[str],
    body: dict[str, Any],
) -> None:
    client = await client_in(TrustedDocuments.ALLOW)
    for headers in ({}, SPEC):
        response = await client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 400, response.text
        assert code_of(response) == "BAD_USER_INPUT"
        assert "nothing was run" in response.json()["errors"][0]["message"]
    assert executions == []


@pytest.mark.parametrize("mode", [TrustedDocuments.OFF, TrustedDocuments.ALLOW])
async def test_apq_registers_then_runs_by_hash(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]],
    executions: list[str],
    mode: TrustedDocuments,
) -> None:
    client = await client_in(mode)
    by_hash = {"extensions": apq(NAMES)}
    assert (await client.post("/graphql", json=by_hash)).status_code == 404

    registered = await client.post("/graphql", json={"query": NAMES, **by_hash})
    again = await client.post("/graphql", json=by_hash)
    lane = await client.post("/graphql", json=by_hash)

    assert registered.status_code == 200, registered.text
    assert again.content == registered.content == lane.content
    assert executions == ["Names"]  # registered the whole way; then from the lane


async def test_an_apq_hash_that_is_not_its_query_runs_nothing(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]], executions: list[str]
) -> None:
    client = await client_in(TrustedDocuments.ALLOW)
    body = {"query": NAMES, "extensions": apq(SLUGS)}

    response = await client.post("/graphql", json=body)

    assert response.status_code == 400
    assert code_of(response) == "BAD_USER_INPUT"
    assert "sha256Hash is not the sha256 of the query" in response.text
    assert executions == []
    # Nor was anything registered under either hash.
    by_hash = await client.post("/graphql", json={"extensions": apq(NAMES)})
    assert code_of(by_hash) == "PERSISTED_QUERY_NOT_FOUND"


async def test_allow_runs_free_text(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]],
) -> None:
    client = await client_in(TrustedDocuments.ALLOW)
    response = await client.post("/graphql", json={"query": NAMES})
    assert response.status_code == 200
    assert "errors" not in response.json()


async def test_enforce_refuses_free_text_and_apq_registration(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]], executions: list[str]
) -> None:
    client = await client_in(TrustedDocuments.ENFORCE)
    for body in ({"query": NAMES}, {"query": NAMES, "extensions": apq(NAMES)}):
        for headers in ({}, SPEC):
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.status_code == 400, response.text
            assert code_of(response) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert executions == []


async def test_enforce_allows_free_text_whose_hash_is_in_the_manifest(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]], executions: list[str]
) -> None:
    client = await client_in(TrustedDocuments.ENFORCE)
    first = await client.post("/graphql", json={"query": SLUGS})
    again = await client.post("/graphql", json={"query": SLUGS, "extensions": apq(SLUGS)})
    assert first.status_code == 200, first.text
    assert again.content == first.content
    assert executions == ["Slugs"]


@pytest.mark.parametrize(("env", "allowed"), [(Environment.DEV, True), (Environment.PROD, False)])
async def test_graphiql_is_exempt_in_dev_only(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]], env: Environment, allowed: bool
) -> None:
    # The settings as they were read (prod's own checks are not the point here).
    client = await client_in(TrustedDocuments.ENFORCE, env=env, anonymous_read=True)
    for _ in range(2):  # the second time, past the lane too
        response = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={GRAPHIQL_HEADER: "1"}
        )
        if allowed:
            assert without_cost(response.json()) == {"data": {"__typename": "Query"}}
        else:
            assert code_of(response) == "PERSISTED_QUERY_NOT_ALLOWED"


def test_graphiql_sends_the_header() -> None:
    script = Path("server/static/graphiql.js").read_text()
    assert '"X-Catalog-GraphiQL": "1"' in script
    assert GRAPHIQL_HEADER == "x-catalog-graphiql"


@pytest.mark.parametrize(
    ("mode", "content", "message"),
    [
        ("enforce", None, "'allow'"),  # no file at all
        ("allow", "", "cannot read"),  # a missing file
        ("enforce", "{not json", "is not valid JSON"),
        ("enforce", '["a"]', "is not a JSON object"),
        ("allow", '{"abc": "{ __typename }"}', "is not a sha256 hex hash"),
        ("off", json.dumps({sha256("{ a }"): "{ b }"}), "is not the sha256 of its document"),
    ],
)
def test_a_bad_manifest_stops_start_up_with_one_line(
    mode: str, content: str | None, message: str, tmp_path: Path
) -> None:
    environment = {
        name: setting for name, setting in os.environ.items() if not name.startswith("CATALOG_")
    }
    environment |= {"CATALOG_TRUSTED_DOCUMENTS": mode, "CATALOG_DATA_DIR": str(tmp_path / "data")}
    if content is not None:
        path = tmp_path / "manifest.json"
        if content:
            path.write_text(content)
        environment["CATALOG_TRUSTED_DOCUMENTS_FILE"] = str(path)
    if mode == "enforce" and content is None:
        message = "'enforce'"

    result = subprocess.run(
        [str(SERVICE_CATALOG), "serve", "--port", "0"],
        env=environment,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("service-catalog: invalid setting CATALOG_TRUSTED_DOCUMENTS_FILE: ")
    assert message in lines[0]
    assert not (tmp_path / "data").exists()  # stopped before touching any database


async def test_get_takes_a_document_id_and_an_apq_hash(
    client_in: Callable[..., Awaitable[httpx.AsyncClient]],
) -> None:
    client = await client_in(TrustedDocuments.ENFORCE)
    by_id = await client.get("/graphql", params={"documentId": f"sha256:{sha256(SLUGS)}"})
    by_hash = await client.get("/graphql", params={"extensions": json.dumps(apq(SLUGS))})
    assert by_id.status_code == 200, by_id.text
    assert by_hash.json() == by_id.json()
    assert len(by_id.json()["data"]["services"]["nodes"]) == 2
