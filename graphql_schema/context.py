"""The per-request context: settings, principal, and one serialised database session."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Dialect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from core.db import connection_lost, once_more_if_lost
from core.history import set_transaction_actor
from core.settings import Settings
from core.statement_alone import fetch_value_alone
from graphql_schema.cost_budget import CostBudget, Spending, caller_key
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.principal import Principal
from identity.refusals import RefusalAuditor
from salesforce.deadline import Deadline
from salesforce.gateway import SalesforceGateway

if TYPE_CHECKING:
    from graphql_schema.loaders import Loaders


class RequestFinished(RuntimeError):
    """A resolver left running after its request ended asked for the database."""


class Context(BaseContext):
    """One request, one session, one transaction.

    Strawberry runs sibling resolvers concurrently, and an `AsyncSession` must never
    serve two coroutines at once: every statement goes through `db()`, which holds a
    per-request lock while the caller uses the session.

    When a non-null field fails, its siblings may still be running (graphql-core stops
    waiting for them): `finish` takes the same lock, so the transaction never ends under a
    statement, and a finished request refuses them any new session.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        principal: Principal | None,
        facts: RequestFacts | None = None,
        refusals: RefusalAuditor | None = None,
        salesforce: SalesforceGateway | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.principal = principal
        self.facts = facts or RequestFacts()
        self.refusals = refusals
        self.read_only = True
        # Sensitive fields read in this request, by kind: audited once, in a batch.
        self.sensitive_reads: dict[str, set[str]] = {}
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._finished = False
        # The connection died under a statement of this request (see `retryable`), and
        # whether any statement of its transaction had answered before.
        self.connection_lost = False
        self._answered = False
        self._salesforce = salesforce
        # One CATALOG_SALESFORCE_TIMEOUT_S budget for every Salesforce call of the request.
        self.salesforce_deadline: Deadline | None = None
        # Subscriptions sharing this context (one websocket) take turns loading a delivery.
        self.delivery_lock = asyncio.Lock()

    @cached_property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, one attribute each, made on first use."""
        # Imported here: the loaders read the domains' types, which read `Info` below.
        from graphql_schema.loaders import Loaders

        return Loaders(self)

    def reset_loaders(self) -> None:
        """Forget every value loaded so far (a subscription does, between deliveries)."""
        self.__dict__.pop("loaders", None)

    # Whether a `RawData` answer is written as it is; None: when the transport is HTTP.
    raw_json: bool | None = None
    # The operation's estimated cost, and what it did to the caller's budget (limits.py).
    cost_requested: int | None = None
    spending: Spending | None = None

    async def charge(self, cost: int, budget: CostBudget | None) -> bool:
        """Note the operation's cost and spend it from the caller's budget, if any: whether
        the budget covered it (it always does without one)."""
        self.cost_requested = cost
        if budget is None:
            return True
        self.spending = await budget.spend(caller_key(self.principal, self.facts.client_ip), cost)
        return not self.spending.refused

    @property
    def raw_json_accepted(self) -> bool:
        """Whether the transport writes a `RawData` answer as it is: the HTTP view does (its
        `encode_json`); a websocket or an in-process caller gets parsed data."""
        if self.raw_json is not None:
            return self.raw_json
        return isinstance(getattr(self, "request", None), Request)

    @property
    def salesforce(self) -> SalesforceGateway | None:
        """The app's Salesforce gateway (made in the lifespan), or the one given."""
        if self._salesforce is None:
            app = getattr(getattr(self, "request", None), "app", None)
            self._salesforce = getattr(getattr(app, "state", None), "salesforce", None)
        return self._salesforce

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._finished:
                raise RequestFinished("the request has ended; its resolvers may not query")
            try:
                yield await self._open()
            except BaseException as error:
                # Without a pool pre-ping, a connection that died in the pool fails here,
                # on the request's first statement.
                if connection_lost(error):
                    self.connection_lost = True
                else:
                    self._answered = True
                raise
            self._answered = True

    async def _open(self) -> AsyncSession:
        """The request's session, its transaction begun on first use."""
        if self._session is None:
            # Opened on the first statement a resolver asks for: an operation that reads
            # nothing (`{ __typename }`) checks out no connection and sends nothing.
            session = self._sessionmaker()
            try:
                await self._begin(session)
            except BaseException:
                with contextlib.suppress(Exception):
                    await session.invalidate()
                raise
            self._session = session
        return self._session

    async def _begin(self, session: AsyncSession) -> None:
        await session.begin()
        if self.read_only and isinstance(self._sessionmaker.kw.get("bind"), AsyncEngine):
            # asyncpg then opens the transaction with `BEGIN READ ONLY` (before the
            # first statement): no `SET TRANSACTION` round trip of its own. The pool
            # resets the option when the connection goes back.
            await session.connection(execution_options={"postgresql_readonly": True})
        elif self.read_only:
            # Bound to a connection already in a transaction (the tests' savepoint).
            await session.execute(text("SET TRANSACTION READ ONLY"))
        elif self.principal is not None:
            await set_transaction_actor(
                session, actor=self.principal.actor, request_id=self.facts.request_id
            )

    @property
    def retryable(self) -> bool:
        """Whether the operation may run once more on a new connection: its connection died
        under it, and it wrote nothing — a query, or a mutation whose very first statement
        failed. (Nothing was committed either way: the commit comes after execution.)"""
        return self.connection_lost and (self.read_only or not self._answered)

    async def restart(self) -> None:
        """Forget a first attempt whose connection died: its session (the connection is
        invalidated, never returned to the pool), its loaded values and noted reads."""
        async with self._lock:
            session, self._session = self._session, None
            if session is not None:
                with contextlib.suppress(Exception):
                    await session.invalidate()
            self.connection_lost = False
            self._answered = False
            self._finished = False
            self.sensitive_reads = {}
            self.reset_loaders()

    @property
    def dialect(self) -> Dialect:
        bind = self._sessionmaker.kw.get("bind")
        assert isinstance(bind, (AsyncEngine, AsyncConnection))
        return bind.dialect

    async def fetch_value(self, sql: str, arguments: Sequence[Any]) -> Any:
        """The single value of one read statement (SQL text, positional parameters) in the
        fewest round trips: alone on an autocommit connection (one statement is its own
        snapshot: no BEGIN, no ROLLBACK), or in the request's transaction when one is open
        or the session is bound to a connection (tests)."""
        bind = self._sessionmaker.kw.get("bind")
        if self._session is not None or not isinstance(bind, AsyncEngine):
            async with self.db() as session:
                connection = await session.connection()
                result = await connection.exec_driver_sql(sql, tuple(arguments))
                return result.scalar()
        if self._finished:
            raise RequestFinished("the request has ended; its resolvers may not query")

        # No pool pre-ping: a pooled connection that died fails here. One read, no
        # transaction, nothing sent to the client yet: read once more on a new connection.
        return await once_more_if_lost(lambda: fetch_value_alone(bind, sql, arguments))

    async def finish(self, *, commit: bool, final: bool = True) -> None:
        """Commit (writes) or roll back (reads, failures), then release the connection, once
        no resolver is using the session. A `final` finish ends the request's use of the
        database; a subscription finishes each delivery with `final=False`."""
        async with self._lock:
            self._finished = final
            session, self._session = self._session, None
            if session is None:
                return
            try:
                if commit and not self.read_only:
                    await session.commit()
                else:
                    await self._roll_back(session)
            finally:
                await session.close()

    @staticmethod
    async def _roll_back(session: AsyncSession) -> None:
        try:
            await session.rollback()
        except Exception as error:
            if not connection_lost(error):
                raise
            # The connection died after the last statement answered: PostgreSQL discards
            # its transaction, so there is nothing left to undo (and a read still answers).
            with contextlib.suppress(Exception):
                await session.invalidate()

    def note_sensitive_read(self, kind: str, key: object) -> None:
        self.sensitive_reads.setdefault(kind, set()).add(str(key))

    async def audit_refusal(self, entry: AuditEntry) -> None:
        if self.refusals is not None:
            await self.refusals.refused(entry, principal=self.principal, facts=self.facts)

    async def audit_sensitive_reads(self) -> None:
        """One event for the request listing every sensitive value it read."""
        if not self.sensitive_reads:
            return
        details = {kind: sorted(keys) for kind, keys in self.sensitive_reads.items()}
        self.sensitive_reads = {}
        async with self._sessionmaker() as session:
            await record(
                session,
                AuditEntry("READ_SENSITIVE", AuditOutcome.SUCCESS, details=details),
                principal=self.principal,
                facts=self.facts,
            )
            await session.commit()

    async def abort(self) -> None:
        """After a cancellation: never return a connection in an unknown state to the pool."""
        self._finished = True
        session, self._session = self._session, None
        if session is not None:
            await session.invalidate()


Info = StrawberryInfo[Context, None]
