"""A spreadsheet or CMDB export of services, as CSV, as import entries (one service a row).

The header (see `HEADER`); column order is free, unknown columns are refused. Lists are
separated by `;`. An empty cell, like an absent column, leaves the stored value as it is.
"""

from __future__ import annotations

from typing import Any

from catalog.catalog_import.backstage import Refused, dependency_ref, lifecycle, org_ids
from catalog.catalog_import.records import Entry, Target
from catalog.services.models import DataClassification, Tier
from core.row_import import RawRow, RowFormat, RowShape, parse

SHAPE = RowShape(
    required=("slug", "name", "owner", "lifecycle"),
    optional=(
        "tier",
        "description",
        "tags",
        "system",
        "depends_on",
        "salesforce_org_ids",
        "data_classification",
        "compliance_regimes",
        "runbook_url",
        "repo_url",
        "dashboard_url",
    ),
)
HEADER = ",".join((*SHAPE.required, *SHAPE.optional))
_TEXT_COLUMNS = ("name", "description", "runbook_url", "repo_url", "dashboard_url")


def parse_csv(content: str, *, source: str = "") -> list[Entry]:
    """One entry per row; a malformed whole (header, quoting) raises `DomainErrors`."""
    rows = parse(RowFormat.CSV, content, SHAPE)
    return [_entry(row, f"{source}:{row.line}" if source else f"line {row.line}") for row in rows]


def _entry(row: RawRow, source: str) -> Entry:
    cells = {key: (value or "").strip() for key, value in row.fields.items() if key is not None}
    slug = cells.get("slug") or "?"
    entry = Entry(source=source, kind="CSV", name=slug, target=Target.SERVICE)
    try:
        _map(entry, cells)
    except Refused as error:
        entry.problem = str(error)
    if None in row.fields:
        entry.problem = "the row has more cells than the header"
    return entry


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _enum(value: str, column: str, enum: type[Any]) -> Any:
    cleaned = value.upper().replace("-", "_")
    if enum is Tier and cleaned.isdigit():
        cleaned = f"TIER_{cleaned}"
    try:
        return enum(cleaned)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise Refused(f"{column} {value!r} is not one of {allowed}") from None


def _map(entry: Entry, cells: dict[str, str]) -> None:
    for column in SHAPE.required:
        if not cells.get(column):
            raise Refused(f"{column} is required")
    fields = entry.fields
    fields["slug"] = cells["slug"]
    for column in _TEXT_COLUMNS:
        if cells.get(column):
            fields[column] = cells[column]
    entry.owner = cells["owner"].removeprefix("group:").removeprefix("default/")
    fields["lifecycle"] = lifecycle(cells["lifecycle"])
    if cells.get("tier"):
        fields["tier"] = _enum(cells["tier"], "tier", Tier)
    if cells.get("data_classification"):
        fields["data_classification"] = _enum(
            cells["data_classification"], "data_classification", DataClassification
        )
    tags = _list(cells.get("tags", ""))
    if cells.get("system"):
        tags.append(f"system:{cells['system']}")
    if tags:
        fields["tags"] = tags
    if cells.get("compliance_regimes"):
        fields["compliance_regimes"] = _list(cells["compliance_regimes"])
    if cells.get("salesforce_org_ids"):
        entry.org_ids = org_ids(cells["salesforce_org_ids"])
    for text in _list(cells.get("depends_on", "")):
        entry.depends_on.append(dependency_ref(text, "component", "depends_on"))
