"""The GraphQL HTTP view: a context per request, and commit before the response is sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import strawberry
from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from core.settings import Settings
from graphql_schema.context import Context
from identity.principal import Principal

logger = logging.getLogger(__name__)

PrincipalResolver = Callable[[Request, Settings], Awaitable[Principal | None]]


class CatalogGraphQLRouter(GraphQLRouter[Context, None]):
    """Runs each operation, then commits its writes (or rolls back) before answering."""

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except asyncio.CancelledError:
            await context.abort()
            raise
        except BaseException:
            await context.finish(commit=False)
            raise
        try:
            await context.finish(commit=True)
            await context.audit_sensitive_reads()
        except Exception:
            logger.exception("commit failed")
            error = GraphQLError(
                "the change could not be saved; nothing was changed",
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
            return ExecutionResult(data=None, errors=[error])
        return result


def graphql_router(
    schema: strawberry.Schema,
    *,
    settings: Settings,
    principal_for: PrincipalResolver,
) -> CatalogGraphQLRouter:
    async def context_getter(request: Request) -> Context:
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        return Context(
            settings=settings,
            sessionmaker=sessionmaker,
            principal=await principal_for(request, settings),
            facts=getattr(request.state, "facts", None),
            refusals=getattr(request.app.state, "refusals", None),
        )

    return CatalogGraphQLRouter(schema, context_getter=context_getter, graphql_ide="graphiql")
