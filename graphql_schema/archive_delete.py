"""Archive and delete by global id: the one shape every such mutation has."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import run_mutation
from graphql_schema.node import decode_id
from graphql_schema.payloads import DeletePayload
from identity.principal import Principal

# A domain action taking (session, principal=, version=, <id_field>=).
RecordAction = Callable[..., Awaitable[Any]]


async def _by_id(
    info: Info,
    input: ArchiveInput | DeleteInput,
    *,
    type_name: str,
    run: RecordAction,
    id_field: str,
) -> tuple[Any | None, list[UserError]]:
    async def action(session: AsyncSession, principal: Principal) -> Any:
        record_id = decode_id(input.id, type_name, field="id")
        return await run(
            session, principal=principal, version=input.version, **{id_field: record_id}
        )

    return await run_mutation(info, action)


async def archive_by_id(
    info: Info, input: ArchiveInput, *, type_name: str, archive: RecordAction, id_field: str
) -> tuple[Any | None, list[UserError]]:
    """Decode `input.id` as a `type_name`, archive it as one audited mutation; the archived
    record (None when refused) and the user errors."""
    return await _by_id(info, input, type_name=type_name, run=archive, id_field=id_field)


async def delete_by_id(
    info: Info, input: DeleteInput, *, type_name: str, delete: RecordAction, id_field: str
) -> DeletePayload:
    """Decode `input.id` as a `type_name`, delete it as one audited mutation."""
    _, errors = await _by_id(info, input, type_name=type_name, run=delete, id_field=id_field)
    return DeletePayload.of(input.id, errors)
