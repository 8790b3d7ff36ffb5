"""Running a mutation: one savepoint each, domain errors become `userErrors`.

A mutation is its input, its permission and its action. `@mutation` declares the three
(and the payload the result goes into); the method it decorates maps the input to the
action's keyword arguments, and runs inside the savepoint, so an id that does not decode
or a field that may not be null is a `userError` like any refusal of the action:

    @mutation(
        "PLANNED -> IN_PROGRESS.",
        permission=Role.CONTRIBUTOR,
        action=actions.start_release,
        payload=ObjectPayload(ReleasePayload, "release", Release),
    )
    def start_release(self, input: ReleaseStepInput) -> Arguments:
        return {"release_id": decode_id(input.id, "Release", field="id"), "version": input.version}

The GraphQL field takes one argument, `input`, of the decorated function's annotated type
and returns the payload's type; the method's `self` is the root value, as in any
resolver. The domain action is called as
`action(session, principal=principal, **arguments)`.
"""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from strawberry.utils.str_converters import to_camel_case

from catalog.orgs.actions import UNIQUE_KEYS as ORG_KEYS
from catalog.services.actions import UNIQUE_KEYS as SERVICE_KEYS
from core.errors import AccessDenied, Conflict, DomainError, DomainErrors
from core.records import constraint_error
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden, Unauthenticated, UserError
from graphql_schema.prefetch import child_selections, fully_loaded, loader_options
from identity.actions import UNIQUE_KEYS as IDENTITY_KEYS
from identity.audit import AuditEntry, AuditOutcome, record
from identity.principal import Principal, Role

Result = TypeVar("Result")
Payload = TypeVar("Payload", covariant=True)

# Unique keys the actions check before writing; a concurrent writer can still win the race
# between that check and the insert, and its key then names the field the same way. Each
# domain declares the keys of its own tables.
UNIQUE_KEYS: dict[str, DomainError] = {**SERVICE_KEYS, **ORG_KEYS, **IDENTITY_KEYS}

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
    constraints: Mapping[str, DomainError] | None = None,
    audited: Callable[[Result], Any] | None = None,
) -> tuple[Result | None, list[UserError]]:
    """Run `action` in its own savepoint: a refusal rolls back only this mutation's work.

    The audit names the result as the changed record, or what `audited` picks from it."""
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
        target = audited(result) if audited is not None else result
        await _audit(info, session, _audit_entry(info, AuditOutcome.SUCCESS, target))
        return result, []


def _user_errors(error: Exception, constraints: Mapping[str, DomainError]) -> list[UserError]:
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


# The action's keyword arguments, built from the mutation's input.
Arguments = dict[str, Any]


class PayloadShape(Protocol[Payload]):
    """How a mutation's result (None when refused) and its user errors become its payload."""

    @property
    def type(self) -> type[Payload]: ...

    async def build(
        self, info: Info, input: Any, result: Any | None, errors: list[UserError]
    ) -> Payload: ...


@dataclass(frozen=True)
class ObjectPayload(Generic[Result]):
    """A payload holding the changed record in `field` (its Python name) as a `node_type`,
    reloaded with what the client selected; null when the mutation was refused."""

    type: type[Result]
    field: str
    node_type: Any

    async def build(
        self, info: Info, input: Any, result: Any | None, errors: list[UserError]
    ) -> Result:
        return self.type(**{self.field: await self.node(info, result), "user_errors": errors})

    async def node(self, info: Info, record: Any | None) -> Any:
        """The record as the payload's object, reloaded; None when refused."""
        return await payload_object(
            info,
            record,
            field=to_camel_case(self.field),
            type_name=self.node_type.__strawberry_definition__.name,
            convert=self.node_type.from_model,
        )


@dataclass(frozen=True)
class CustomPayload(Generic[Result]):
    """A payload built by a function of (info, input, result, errors)."""

    type: type[Result]
    builder: Callable[[Info, Any, Any, list[UserError]], Awaitable[Result]]

    async def build(
        self, info: Info, input: Any, result: Any | None, errors: list[UserError]
    ) -> Result:
        return await self.builder(info, input, result, errors)


async def mutate(
    info: Info,
    input: Any,
    *,
    action: Callable[..., Awaitable[Any]],
    arguments: Callable[[], Arguments],
    payload: PayloadShape[Result],
    constraints: Mapping[str, DomainError] | None = None,
    audited: Callable[[Any], Any] | None = None,
) -> Result:
    """Decode the input, run the action and build the payload: one savepoint, one audit."""

    async def run(session: AsyncSession, principal: Principal) -> Any:
        return await action(session, principal=principal, **arguments())

    result, errors = await run_mutation(info, run, constraints=constraints, audited=audited)
    return await payload.build(info, input, result, errors)


def _roles(permission: Role | tuple[Role, ...]) -> tuple[Role, ...]:
    return permission if isinstance(permission, tuple) else (permission,)


def mutation(
    description: str,
    *,
    permission: Role | tuple[Role, ...],
    action: Callable[..., Awaitable[Any]],
    payload: PayloadShape[Any],
    constraints: Mapping[str, DomainError] | None = None,
    audited: Callable[[Any], Any] | None = None,
    name: str | None = None,
) -> Callable[[Callable[..., Arguments]], Any]:
    """A mutation field: its input (the decorated method maps it to the action's keyword
    arguments; it may also take `info`), its permission, its action and its payload.

    `constraints` name the fields of unique keys beyond the domains' own; `audited` picks
    the changed record out of a result that is not one. `permission` is one role, or
    several of which the caller needs one (checked before the operation runs). `name` is
    the field's name where camel-casing the method's would not do (`createAIModel`)."""

    def declare(arguments: Callable[..., Arguments]) -> Any:
        input_type = typing.get_type_hints(arguments)["input"]
        takes_info = "info" in inspect.signature(arguments).parameters

        async def resolver(self: Any, info: Info, input: Any) -> Any:
            def given() -> Arguments:
                if takes_info:
                    return arguments(self, input, info=info)
                return arguments(self, input)

            return await mutate(
                info,
                input,
                action=action,
                arguments=given,
                payload=payload,
                constraints=constraints,
                audited=audited,
            )

        resolver.__name__ = resolver.__qualname__ = arguments.__name__
        resolver.__module__ = arguments.__module__
        resolver.__annotations__ = {"info": Info, "input": input_type, "return": payload.type}
        return strawberry.mutation(
            resolver=resolver,
            name=name,
            description=description,
            metadata=requires(*_roles(permission)),
        )

    return declare
