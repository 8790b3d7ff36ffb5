"""History: every change to a versioned record, outliving the record itself."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Text,
    case,
    column,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from strawberry.scalars import JSON

from core.history import RecordVersion
from core.history_queries import versions_query
from core.ids import GlobalId, MalformedGlobalId
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    PageSource,
    Parameters,
    Relation,
    RootPage,
    Rows,
    declare_root,
    declare_sql,
)
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput


@strawberry.enum(description="What a version did to its record.")
class VersionAction(Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    ARCHIVE = "ARCHIVE"
    DELETE = "DELETE"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@strawberry.type(description="One field's value before and after a version.")
class FieldChange:
    field: str
    from_: JSON | None = strawberry.field(name="from")
    to: JSON | None


@strawberry.type(description="One change to a record; `version` equals the record's version.")
class Version:
    version: int
    at: datetime
    actor: str | None = strawberry.field(
        description="Who made the change: `person:<id>`, `client:<id>@<issuer>` or a system."
    )
    request_id: str | None
    action: VersionAction
    changes: list[FieldChange]

    @classmethod
    def from_model(cls, row: RecordVersion) -> Version:
        return cls(
            version=row.version,
            at=row.at,
            actor=row.actor,
            request_id=row.request_id,
            action=VersionAction(row.action),
            changes=[
                FieldChange(field=_camel(item["field"]), from_=item["from"], to=item["to"])
                for item in row.changes
            ],
        )


def history_page(record_id: uuid.UUID) -> PageSource:
    return PageSource(
        versions_query(record_id),
        KeysetOrder(RecordVersion.version, RecordVersion.id, descending=True, name="VERSION"),
        "Version",
        Version.from_model,
        [str(record_id)],
    )


async def history_connection(
    info: Info,
    record_id: uuid.UUID,
    page: PageRequest,
) -> Connection[Version]:
    return await paginate_source(info, history_page(record_id), page)


@strawberry.interface(description="A record whose every change is kept.")
class Versioned:
    version: int
    model: strawberry.Private[Any]

    @strawberry.field(description="Every change to this record, newest first.")
    @paged
    async def history(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[Version]:
        return await history_connection(info, self.model.id, page)


def record_history_page(id: strawberry.ID) -> PageSource:
    """What `recordHistory` pages over, for its resolver and for the compiled path alike."""
    try:
        record_id = GlobalId.decode(id).id
    except MalformedGlobalId as error:
        raise BadUserInput(str(error)) from None
    return history_page(record_id)


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description="The history of any record by its global id, deleted records included."
    )
    @paged
    async def record_history(
        self,
        info: Info,
        id: strawberry.ID,
        *,
        page: PageRequest,
    ) -> Connection[Version]:
        return await paginate_source(info, record_history_page(id), page)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _camel_sql(name: ColumnElement[str]) -> ColumnElement[str]:
    """`_camel`: the first part as it is, each next one capitalized (`str.capitalize`)."""
    parts = (
        func.unnest(func.string_to_array(name, literal_column("'_'")))
        .table_valued(column("part", Text), with_ordinality="position")
        .render_derived()
    )
    part = parts.c.part
    capitalized = func.upper(func.left(part, 1), type_=Text) + func.lower(
        func.substr(part, 2), type_=Text
    )
    joined = func.string_agg(
        case((parts.c.position == 1, part), else_=capitalized),
        aggregate_order_by(literal_column("''"), parts.c.position),
    )
    # string_to_array('') is empty: an empty name stays empty, as in Python.
    return func.coalesce(select(joined).select_from(parts).scalar_subquery(), literal_column("''"))


def _changes(version: FromClause, _: Parameters) -> Rows:
    """The stored changes, in their order."""
    items = (
        func.jsonb_array_elements(version.c.changes)
        .table_valued(column("value", JSONB), with_ordinality="ordinality")
        .alias()
    )
    return Rows(items, true(), order_by=(items.c.ordinality,))


declare_sql(
    "Version",
    {
        "version": Column("version"),
        "at": Column("at"),
        "actor": Column("actor"),
        "requestId": Column("request_id"),
        "action": Column("action"),
        "changes": Relation("FieldChange", _changes, many=True),
    },
)
declare_sql(
    "FieldChange",
    {
        "field": Computed(lambda item, _: _camel_sql(item.c.value["field"].astext)),
        "from": Computed(lambda item, _: item.c.value["from"]),
        "to": Computed(lambda item, _: item.c.value["to"]),
    },
)
declare_root("recordHistory", RootPage(record_history_page))
