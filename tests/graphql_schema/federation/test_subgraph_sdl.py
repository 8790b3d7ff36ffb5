"""The committed subgraph SDL is the subgraph the code builds; the CLI prints the same, and
the federation directives stay out of the public schema."""

from __future__ import annotations

import difflib
from pathlib import Path

from typer.testing import CliRunner

from graphql_schema.federation.schema import subgraph_sdl
from graphql_schema.schema import sdl
from server.cli import cli

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "graphql_schema" / "subgraph.graphql"
REGENERATE = "service-catalog schema --federation --output graphql_schema/subgraph.graphql"


def test_committed_subgraph_sdl_matches_the_code() -> None:
    committed = COMMITTED.read_text()
    current = subgraph_sdl()

    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            "graphql_schema/subgraph.graphql (committed)",
            "subgraph_sdl() (the code)",
        )
    )
    assert committed == current, (
        f"graphql_schema/subgraph.graphql is out of date; regenerate it with\n"
        f"    {REGENERATE}\nreview the difference, and commit it:\n{diff}"
    )


def test_cli_prints_the_subgraph_sdl(tmp_path: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema", "--federation"])
    written = CliRunner().invoke(cli, ["schema", "--federation", "--output", str(tmp_path / "s")])

    assert printed.exit_code == 0, printed.output
    assert printed.stdout == COMMITTED.read_text()
    assert written.exit_code == 0, written.output
    assert (tmp_path / "s").read_text() == COMMITTED.read_text()


def test_the_entities_and_their_keys() -> None:
    subgraph = COMMITTED.read_text()

    assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])' in (
        subgraph
    )
    for declaration in (
        'type Service implements Node & Versioned & Reviewable @key(fields: "id") '
        '@key(fields: "slug") {',
        'type Team implements Node & Versioned @key(fields: "id") {',
        'type Person implements Node & Versioned @key(fields: "id") {',
        'type SalesforceOrg implements Node & Versioned @key(fields: "id") {',
        "union _Entity = Person | SalesforceOrg | Service | Team",
        "  _entities(representations: [_Any!]!): [_Entity]!",
        "  _service: _Service!",
    ):
        assert declaration in subgraph, declaration


def test_the_public_schema_carries_nothing_of_federation() -> None:
    public = sdl()

    for federation_only in ("@key", "@link", "_entities", "_service", "_Any", "_Entity"):
        assert federation_only not in public, federation_only
