"""The API under test, in process: the product's schema, engine and context, no HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from graphql_schema.compiled.raw_json import encode_response
from graphql_schema.context import Context
from graphql_schema.schema import build_schema
from identity.authentication import development_principal
from identity.principal import Principal, Role
from server.heap import freeze_startup_objects


class SubjectError(RuntimeError):
    """The API answered with errors: the benchmark would measure a failure."""


@dataclass
class Statements:
    """Statements the engine sent, split into domain reads and per-request overhead.

    Counted only inside `counting()`: an engine with statement listeners runs the compiled
    read path through SQLAlchemy's execution machinery, which the product without them
    skips (graphql_schema/context.py), so timings run with none attached."""

    engine: AsyncEngine
    domain: int = 0
    overhead: int = 0
    transaction: int = 0
    seen: list[str] = field(default_factory=list)

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.domain = self.overhead = self.transaction = 0
        self.seen.clear()
        sync = self.engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before)
        for name in TRANSACTION_EVENTS:
            event.listen(sync, name, self._transaction)
        try:
            yield
        finally:
            event.remove(sync, "before_cursor_execute", self._before)
            for name in TRANSACTION_EVENTS:
                event.remove(sync, name, self._transaction)

    def _before(self, *args: Any) -> None:
        self.statement(args[2])

    def _transaction(self, *_: Any) -> None:
        self.transaction += 1

    def statement(self, sql: str) -> None:
        self.seen.append(sql)
        if is_overhead(sql):
            self.overhead += 1
        else:
            self.domain += 1


TRANSACTION_EVENTS = ("begin", "commit", "rollback")


def is_overhead(sql: str) -> bool:
    """Transaction set-up, actor settings and the caller's identity: not domain reads."""
    flat = " ".join(sql.split()).lower()
    return (
        flat.startswith(("set transaction", "select set_config", "select pg_"))
        or "person.issuer =" in flat
    )


async def cursor_stamp(url: str) -> str:
    """The filter-and-order fingerprint the API puts in its `services` cursors.

    Taken from the API's own answer, so reference A's cursors match whatever the product
    hashes (the filter's fields change as the product grows).
    """
    subject = SchemaSubject(url)
    await subject.start()
    try:
        body = json.loads(await subject.execute("{ services(first: 1) { edges { cursor } } }"))
    finally:
        await subject.close()
    cursor: str = body["data"]["services"]["edges"][0]["cursor"]
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    stamp: str = payload["f"]
    return stamp


class SchemaSubject:
    """`schema.execute` with a fresh `Context` per operation, answered as the view would."""

    def __init__(self, url: str, *, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings(database_url=url, _env_file=None)
        self.engine = make_engine(url, statement_timeout_ms=self.settings.statement_timeout_ms)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.schema = build_schema(mask_errors=not self.settings.is_dev)
        self.statements = Statements(self.engine)
        self.principal: Principal | None = None
        self.context_class: type[Context] = Context

    async def start(self) -> None:
        async with self.sessionmaker() as session:
            self.principal = await development_principal(session, frozenset({Role.ADMIN}))
        freeze_startup_objects()  # as the app's start-up does

    async def close(self) -> None:
        await self.engine.dispose()

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> bytes:
        context = self.context_class(
            settings=self.settings, sessionmaker=self.sessionmaker, principal=self.principal
        )
        context.raw_json = True  # as the HTTP view: a compiled answer stays PostgreSQL's text
        try:
            result = await self.schema.execute(
                document, variable_values=variables, context_value=context
            )
        except BaseException:
            await context.finish(commit=False)
            raise
        await context.finish(commit=True)
        if result.errors:
            raise SubjectError(str([error.formatted for error in result.errors]))
        # The view writes a compiled answer as it is, and encodes any other with
        # json.dumps(data, separators=(",", ":")).
        raw = encode_response({"data": result.data})
        if raw is not None:
            return raw.encode()
        return json.dumps({"data": result.data}, separators=(",", ":")).encode()
