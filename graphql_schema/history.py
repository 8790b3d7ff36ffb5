"""History: every change to a versioned record, outliving the record itself."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.history import RecordVersion
from core.history_queries import versions_query
from core.ids import GlobalId, MalformedGlobalId
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.connection import Connection, paged, paginate
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


async def history_connection(
    info: Info,
    record_id: uuid.UUID,
    page: PageRequest,
) -> Connection[Version]:
    return await paginate(
        info,
        versions_query(record_id),
        type_name="Version",
        convert=Version.from_model,
        order=KeysetOrder(RecordVersion.version, RecordVersion.id, descending=True, name="VERSION"),
        request=page,
        fingerprint_parts=[str(record_id)],
    )


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
        try:
            record_id = GlobalId.decode(id).id
        except MalformedGlobalId as error:
            raise BadUserInput(str(error)) from None
        return await history_connection(info, record_id, page)
