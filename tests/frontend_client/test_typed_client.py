"""The typed client of examples/frontend/ (graphql-codegen's client preset over the
committed SDL): generated, type-checked by tsc, and its persisted-documents manifest the
one `CATALOG_TRUSTED_DOCUMENTS=enforce` runs — by us, then by the TypeScript client itself."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, TrustedDocuments
from feedback.models import Feedback
from graphql_schema.node import global_id
from server.app import create_app
from tests.builders.catalog import create_service
from tests.builders.identity import create_business_unit, create_team
from tests.dev_token import DEV_TOKEN
from tests.serving import served_in_loop

FRONTEND = Path(__file__).parent.parent.parent / "examples" / "frontend"
MANIFEST = FRONTEND / "src" / "gql" / "persisted-documents.json"
README = Path(__file__).parent.parent.parent / "README.md"
OPERATION = re.compile(r"(?:query|mutation) (\w+)")
SPEC = {"accept": "application/graphql-response+json"}


def _npm(*arguments: str, limit_s: float) -> None:
    npm = shutil.which("npm")
    assert npm is not None, "the frontend client needs Node.js and npm on the PATH"
    result = subprocess.run(
        [npm, *arguments],
        cwd=FRONTEND,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=limit_s,
        check=False,
    )
    assert result.returncode == 0, (
        f"npm {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    )


@pytest.fixture(scope="module")
def manifest() -> dict[str, str]:
    """Installs the locked packages (once), generates the client, type-checks and builds it
    (tsc, strict): the manifest it wrote, by operation name."""
    if not (FRONTEND / "node_modules" / ".bin" / "graphql-codegen").exists():
        _npm("ci", "--no-audit", "--no-fund", limit_s=300)
    MANIFEST.unlink(missing_ok=True)
    _npm("run", "codegen", limit_s=120)
    _npm("run", "build", limit_s=120)  # tsc: type errors fail it, and nothing is emitted
    by_name: dict[str, str] = {}
    for digest, document in json.loads(MANIFEST.read_text()).items():
        named = OPERATION.match(document)  # "query FirstLook { …"
        assert named is not None, document
        # graphql-codegen writes `sha256:<hex>` keys, read by the server as bare hex
        assert digest.startswith("sha256:"), digest
        by_name[named[1]] = digest.removeprefix("sha256:")
    assert set(by_name) == {"FirstLook", "SubmitFeedback"}
    return by_name


@pytest.fixture
def settings(settings: Settings, manifest: dict[str, str]) -> Settings:
    """The app runs the client's manifest only."""
    changes = {"trusted_documents": TrustedDocuments.ENFORCE, "trusted_documents_file": MANIFEST}
    return settings.model_copy(update=changes)


@pytest.fixture
async def crm(session: AsyncSession) -> str:
    unit = await create_business_unit(session, name="Sales Cloud")
    team = await create_team(session, name="Payments", business_unit_id=unit.id)
    service = await create_service(session, slug="crm", name="CRM", owner_team_id=team.id)
    return service.slug


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def _first_readme_query() -> str:
    text = README.read_text()
    start = text.index("```graphql\n") + len("```graphql\n")
    return text[start : text.index("```", start)]


async def _stored(session: AsyncSession, title: str) -> list[Feedback]:
    return list((await session.scalars(select(Feedback).where(Feedback.title == title))).all())


def test_the_readme_query_is_the_clients_first_look(manifest: dict[str, str]) -> None:
    """The client's FirstLook is the README's first query, field for field."""
    readme = " ".join(_first_readme_query().replace("{", " { ").replace("}", " } ").split())
    assert readme.startswith("query FirstLook {")
    ours = (FRONTEND / "src" / "documents.ts").read_text()
    start = ours.index("query FirstLook")
    ours = ours[start : ours.index("`", start)]
    assert " ".join(ours.replace("{", " { ").replace("}", " } ").split()) == readme


async def test_the_readme_query_runs_by_its_document_id(
    client: httpx.AsyncClient, manifest: dict[str, str], crm: str
) -> None:
    body = {"documentId": f"sha256:{manifest['FirstLook']}"}
    response = await client.post("/graphql", json=body, headers=SPEC)

    assert response.status_code == 200, response.text
    services = response.json()["data"]["services"]
    assert services["totalCount"] == 1
    node = services["edges"][0]["node"]
    assert node["slug"] == crm
    assert node["ownerTeam"] == {
        "name": "Payments",
        "kind": "PRODUCT",
        "businessUnit": {"name": "Sales Cloud"},
    }


async def test_feedback_submitted_by_its_document_id_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, manifest: dict[str, str], crm: str
) -> None:
    given = {"service": crm, "kind": "IDEA", "title": "Bulk edit", "body": "Please."}
    body = {"documentId": f"sha256:{manifest['SubmitFeedback']}", "variables": {"input": given}}
    response = await client.post("/graphql", json=body, headers=SPEC)

    assert response.status_code == 200, response.text
    payload = response.json()["data"]["submitFeedback"]
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    [stored] = await _stored(session, "Bulk edit")
    assert payload["feedback"] == {
        "id": global_id("Feedback", stored.id),
        "kind": "IDEA",
        "title": "Bulk edit",
        "status": "NEW",
        "service": {"slug": crm},
    }


async def test_free_text_is_refused_and_nothing_runs(
    client: httpx.AsyncClient, session: AsyncSession, crm: str
) -> None:
    mutation = """
    mutation { submitFeedback(input: { service: "crm", kind: BUG, title: "Free text",
      body: "Not in the manifest." }) { feedback { id } } }
    """
    # The README's query as pasted (not the client's printed text) is free text too.
    for query in (mutation, _first_readme_query()):
        response = await client.post("/graphql", json={"query": query}, headers=SPEC)
        assert response.status_code == 400, response.text
        assert _code(response) == "PERSISTED_QUERY_NOT_ALLOWED"
        assert "data" not in response.json()
    assert await _stored(session, "Free text") == []


async def test_an_unknown_document_id_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"documentId": f"sha256:{'0' * 64}"})
    assert response.status_code == 404, response.text
    assert _code(response) == "PERSISTED_QUERY_NOT_FOUND"


async def test_the_typescript_client_runs_against_the_server(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    crm: str,
) -> None:
    node = shutil.which("node")
    assert node is not None, "the frontend client needs Node.js on the PATH"
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with served_in_loop(app) as host:
        # Asynchronously: the server answers from this same event loop.
        process = await asyncio.create_subprocess_exec(
            node,
            "dist/smoke.js",
            f"http://{host}/graphql",
            crm,
            cwd=FRONTEND,
            env=os.environ | {"CATALOG_TOKEN": DEV_TOKEN},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, f"{out.decode()}\n{err.decode()}"
    result: dict[str, Any] = json.loads(out)

    assert result["slugs"] == [crm]
    assert result["firstLook"]["status"] == 200
    assert result["submitted"]["data"]["submitFeedback"]["userErrors"] == []
    [stored] = await _stored(session, "Typed client")
    assert result["feedbackId"] == global_id("Feedback", stored.id)
