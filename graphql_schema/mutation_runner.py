"""Running a mutation: one savepoint each, domain errors become `userErrors`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.errors import AccessDenied, Conflict, DomainError, DomainErrors, Duplicate
from core.records import constraint_error
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden, Unauthenticated, UserError
from graphql_schema.prefetch import child_selections, fully_loaded, loader_options
from identity.audit import AuditEntry, AuditOutcome, record
from identity.principal import Principal

Result = TypeVar("Result")

# Unique keys the actions check before writing; a concurrent writer can still win the race
# between that check and the insert, and its key then names the field the same way.
UNIQUE_KEYS: dict[str, DomainError] = {
    "uq_service_slug": Duplicate("a service with this slug already exists", field=["slug"]),
    "uq_salesforce_org_org_id": Duplicate("this org is already in the catalog", field=["orgId"]),
    "uq_business_unit_name": Duplicate(
        "a business unit with this name already exists", field=["name"]
    ),
    "uq_team_slug": Duplicate("a team with this slug already exists", field=["slug"]),
    "uq_membership_person_id_team_id_role": Duplicate(
        "the person already has this role in the team", field=["role"]
    ),
}

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
        except AccessDenied as error:
            await savepoint.rollback()
            await info.context.audit_refusal(_audit_entry(info, AuditOutcome.DENIED, None))
            raise Forbidden(str(error)) from None
        except (DomainError, DomainErrors, StaleDataError, IntegrityError) as error:
            await savepoint.rollback()
            errors = _user_errors(error, constraints or {})
            await _audit(info, session, _audit_entry(info, AuditOutcome.REFUSED, None, errors))
            return None, errors
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        await _audit(info, session, _audit_entry(info, AuditOutcome.SUCCESS, result))
        return result, []


def _user_errors(error: Exception, constraints: dict[str, DomainError]) -> list[UserError]:
    if isinstance(error, DomainErrors):
        return [UserError.from_domain(item) for item in error.errors]
    if isinstance(error, StaleDataError):
        error = Conflict(
            "the record changed while you were saving; reload and try again", field=["version"]
        )
    elif isinstance(error, IntegrityError):
        error = constraint_error(error, {**UNIQUE_KEYS, **constraints})
    assert isinstance(error, DomainError)
    return [UserError.from_domain(error)]


def _audit_entry(
    info: Info, outcome: AuditOutcome, result: Any, errors: list[UserError] | None = None
) -> AuditEntry:
    """The mutation's name, its target (the changed record, else the input's id)."""
    target_type = target_id = None
    if result is not None and hasattr(result, "__tablename__"):
        target_type, target_id = type(result).__name__, str(result.id)
    else:
        arguments = getattr(info.selected_fields[0], "arguments", {})
        given = arguments.get("input")
        if isinstance(given, dict) and given.get("id") is not None:
            target_id = str(given["id"])
    details: dict[str, Any] = {}
    if errors:
        details["userErrors"] = [{"code": item.code.value, "field": item.field} for item in errors]
    return AuditEntry(info.field_name, outcome, target_type, target_id, details)


async def _audit(info: Info, session: AsyncSession, entry: AuditEntry) -> None:
    """In the mutation's own transaction: the change and its audit event commit together."""
    await record(session, entry, principal=info.context.principal, facts=info.context.facts)


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
        loaded = await session.scalar(statement)
        if loaded is not None and not fully_loaded(loaded, selections, type_name):
            # The selection came back to an object it had loaded; load what that unloaded.
            loaded = await session.scalar(statement.execution_options(populate_existing=False))
        return loaded


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
