"""The house rules of STYLE.md that a few lines can check: import direction, lazy="raise",
no per-field extension hook."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from strawberry.extensions import SchemaExtension

from core.db import Base
from graphql_schema.schema import build_schema
from server.registry import metadata

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: a package may import the ones before it, never those after it.
LAYERS = (
    "core",
    "identity",
    "catalog",
    "work",
    "feedback",
    "service_levels",
    "notifications",
    "graphql_schema",
    "server",
)
# The Salesforce gateway knows no domain: it stands on core alone, and catalog and above call it.
GATEWAY = "salesforce"
PACKAGES = (*LAYERS, GATEWAY)
GRAPHQL_PACKAGES = {"graphql_schema", "server"}


def allowed_imports(package: str) -> set[str]:
    if package == GATEWAY:
        return {GATEWAY, "core"}
    below = set(LAYERS[: LAYERS.index(package) + 1])
    if LAYERS.index(package) >= LAYERS.index("catalog"):
        below.add(GATEWAY)
    return below


def modules(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute import in the file, at any depth (TYPE_CHECKING and function bodies too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_every_layer_is_found() -> None:
    for package in ("core", "identity", "catalog", "work", "graphql_schema", "server"):
        assert any(modules(package)), f"no modules found in {package}/"


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down(package: str) -> None:
    allowed = allowed_imports(package)
    wrong = [
        f"{where(path, line)} imports {name}"
        for path in modules(package)
        for line, name in imported_modules(path)
        if name.split(".")[0] in PACKAGES and name.split(".")[0] not in allowed
    ]
    assert wrong == [], (
        f"{package} may import only {sorted(allowed)} (STYLE.md: server → graphql_schema → "
        "notifications → service_levels → feedback → work → catalog → identity → core; "
        "salesforce → core). "
        "To reach a higher package, publish a domain event in core/events.py.\n" + "\n".join(wrong)
    )


def test_the_catalog_knows_nothing_of_the_work_that_arrives_for_it() -> None:
    wrong = [
        f"{where(path, line)} imports {name}"
        for path in modules("catalog")
        for line, name in imported_modules(path)
        if name.split(".")[0] == "work"
    ]
    assert wrong == [], "catalog/ must not import work/ (STYLE.md: the house)\n" + "\n".join(wrong)


@pytest.mark.parametrize("package", sorted(set(PACKAGES) - GRAPHQL_PACKAGES))
def test_only_the_graphql_layer_imports_strawberry(package: str) -> None:
    wrong = [
        f"{where(path, line)} imports {name}"
        for path in modules(package)
        for line, name in imported_modules(path)
        if name.split(".")[0] == "strawberry"
    ]
    assert wrong == []


def test_every_relationship_is_lazy_raise() -> None:
    assert Base.metadata is metadata  # server.registry has imported every model module
    relationships = [
        relationship for mapper in Base.registry.mappers for relationship in mapper.relationships
    ]
    assert relationships, "no relationships found: is server.registry importing the models?"
    wrong = [
        f"{relationship.parent.class_.__name__}.{relationship.key}: lazy={relationship.lazy!r}"
        for relationship in relationships
        if relationship.lazy != "raise"
    ]
    assert wrong == [], 'hidden queries must be errors: use relationship(lazy="raise")\n' + (
        "\n".join(wrong)
    )


@pytest.mark.parametrize("mask_errors", [False, True])
def test_no_extension_wraps_every_resolver(mask_errors: bool) -> None:
    """A `resolve` hook runs (and awaits) around every field: too costly on large lists."""
    extensions = build_schema(mask_errors=mask_errors).get_extensions()

    assert extensions
    wrapping = [
        type(extension).__name__
        for extension in extensions
        if type(extension).resolve is not SchemaExtension.resolve
    ]
    assert wrapping == []
