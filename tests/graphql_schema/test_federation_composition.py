"""The subgraph composes with another team's subgraph into a supergraph, as a federation
router would compose them: `@apollo/composition` (federation/compose.mjs) on the committed
subgraph SDL (which tests/graphql_schema/federation/test_subgraph_sdl.py keeps current)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEDERATION = ROOT / "federation"
SUBGRAPH = ROOT / "graphql_schema" / "subgraph.graphql"

node = shutil.which("node")
npm = shutil.which("npm")
pytestmark = pytest.mark.skipif(
    node is None or npm is None,
    reason="composing the supergraph needs Node.js and npm on the PATH (federation/)",
)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=FEDERATION, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def installed() -> None:
    """The locked packages, installed once (node_modules is kept between runs)."""
    if (FEDERATION / "node_modules" / "@apollo" / "composition" / "package.json").exists():
        return
    assert npm is not None
    done = _run(npm, "ci", "--no-audit", "--no-fund")
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"


def compose(toy: Path) -> subprocess.CompletedProcess[str]:
    assert node is not None
    return _run(node, "compose.mjs", str(SUBGRAPH), str(toy))


def test_the_subgraph_composes_with_a_subgraph_extending_service(installed: None) -> None:
    composed = compose(FEDERATION / "toy-subgraph.graphql")

    assert composed.returncode == 0, composed.stderr
    supergraph = composed.stdout
    service = supergraph[supergraph.index("\ntype Service implements") :]
    service = service[: service.index("\n}\n")]
    assert '@join__type(graph: CATALOG, key: "id")' in service
    assert '@join__type(graph: CATALOG, key: "slug")' in service
    assert '@join__type(graph: ONCALL, key: "slug")' in service
    assert "onCallRotation: String @join__field(graph: ONCALL)" in service
    assert '@join__type(graph: CATALOG, key: "id")\n{' in supergraph  # Team, Person, orgs


def test_a_subgraph_that_conflicts_fails_with_its_errors(installed: None, tmp_path: Path) -> None:
    conflicting = tmp_path / "conflicting.graphql"
    conflicting.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])\n'
        'type Service @key(fields: "slug") { slug: Int! onCallRotation: String }\n'
    )

    composed = compose(conflicting)

    assert composed.returncode == 1
    assert composed.stdout == ""
    assert 'FIELD_TYPE_MISMATCH: Type of field "Service.slug" is incompatible' in composed.stderr
