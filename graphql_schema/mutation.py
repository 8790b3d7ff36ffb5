"""Running a mutation: one savepoint each, domain errors become `userErrors`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.errors import AccessDenied, Conflict, DomainError, DomainErrors
from core.records import constraint_error
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden, Unauthenticated, UserError
from graphql_schema.prefetch import child_selections, loader_options
from identity.principal import Principal

Result = TypeVar("Result")

Action = Callable[[AsyncSession, Principal], Awaitable[Result]]


def require_principal(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise Unauthenticated("sign in to change the catalog")
    return principal


async def run_mutation(
    info: Info,
    action: Action[Result],
    *,
    constraints: dict[str, DomainError] | None = None,
) -> tuple[Result | None, list[UserError]]:
    """Run `action` in its own savepoint: a refusal rolls back only this mutation's work."""
    principal = require_principal(info)
    async with info.context.db() as session:
        savepoint = await session.begin_nested()
        try:
            result = await action(session, principal)
            await session.flush()
        except DomainError as error:
            await savepoint.rollback()
            return None, [UserError.from_domain(error)]
        except DomainErrors as errors:
            await savepoint.rollback()
            return None, [UserError.from_domain(error) for error in errors.errors]
        except StaleDataError:
            await savepoint.rollback()
            conflict = Conflict(
                "the record changed while you were saving; reload and try again",
                field=["version"],
            )
            return None, [UserError.from_domain(conflict)]
        except IntegrityError as error:
            await savepoint.rollback()
            return None, [UserError.from_domain(constraint_error(error, constraints or {}))]
        except AccessDenied as error:
            await savepoint.rollback()
            raise Forbidden(str(error)) from None
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        return result, []


async def reload_for_payload(
    info: Info, model: type[Any], key: uuid.UUID, *, field: str, type_name: str
) -> Any:
    """Load the changed object again with the relations the payload selected."""
    selections = child_selections(info.selected_fields[0].selections, field)
    options = loader_options(selections, type_name)
    primary_key = model.__mapper__.primary_key[0]
    statement = (
        select(model)
        .where(primary_key == key)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    async with info.context.db() as session:
        return await session.scalar(statement)


Converted = TypeVar("Converted")


async def payload_object(
    info: Info,
    record: Any | None,
    *,
    field: str,
    type_name: str,
    convert: Callable[[Any], Converted],
) -> Converted | None:
    """The payload's object: null when the mutation was refused."""
    if record is None:
        return None
    loaded = await reload_for_payload(
        info, type(record), record.id, field=field, type_name=type_name
    )
    return convert(loaded)
