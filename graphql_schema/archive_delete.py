"""Archive and delete by global id: the input every such mutation takes, the payload of a
delete."""

from __future__ import annotations

from typing import Any

from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import Arguments, CustomPayload
from graphql_schema.node import decode_id
from graphql_schema.payloads import DeletePayload


def by_id(input: ArchiveInput | DeleteInput, type_name: str, id_field: str) -> Arguments:
    """The arguments of a domain action taking (version=, <id_field>=): `input.id` decoded
    as a `type_name`."""
    return {id_field: decode_id(input.id, type_name, field="id"), "version": input.version}


async def _deleted(
    info: Info, input: DeleteInput, result: Any, errors: list[UserError]
) -> DeletePayload:
    return DeletePayload.of(input.id, errors)


# The payload of a delete: the input's id, unless refused.
DELETED = CustomPayload(DeletePayload, _deleted)
