"""The committed SDL is the schema the code builds, and the CLI prints the same."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from graphql import parse, validate
from typer.testing import CliRunner

from graphql_schema.schema import build_schema, sdl
from server.cli import cli

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "graphql_schema" / "schema.graphql"
REGENERATE = "service-catalog schema --output graphql_schema/schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    committed = COMMITTED.read_text()
    current = sdl()

    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            "graphql_schema/schema.graphql (committed)",
            "sdl() (the code)",
        )
    )
    assert committed == current, (
        f"graphql_schema/schema.graphql is out of date; regenerate it with\n    {REGENERATE}\n"
        f"review the difference, and commit it:\n{diff}"
    )


def test_cli_prints_the_sdl() -> None:
    result = CliRunner().invoke(cli, ["schema"])

    assert result.exit_code == 0, result.output
    assert result.stdout == sdl()


def test_readme_first_query_is_valid() -> None:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```graphql\n(.*?)```", readme, re.DOTALL)
    assert first, "README.md shows a first query in a ```graphql block"

    errors = validate(build_schema()._schema, parse(first[1]))

    assert errors == []
