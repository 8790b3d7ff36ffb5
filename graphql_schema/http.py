"""The GraphQL HTTP view: a context per request, a time limit, commit before answering.

GraphQL over HTTP (SPEC §2): a client that accepts `application/graphql-response+json`
gets that media type and the spec's status codes (a request error has no `data`: 400 when
the request or its document cannot be read, 422 when the document fails validation or a
limit, 401/403 when refused, 504 past the time limit; partial data is 294). A client
that accepts `application/json` (or anything, or says nothing) keeps Strawberry's legacy
answers: 200 for every well-formed request. Under both, GET serves queries only (405 with
`Allow: POST` for a mutation), a body must be `application/json` (415), a body that is
not JSON or has no query is 400, and an `Accept` naming nothing we serve is 406.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import overload

import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import APIRouter, FastAPI
from graphql import GraphQLError, GraphQLSyntaxError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from core.settings import Settings
from graphql_schema import openapi
from graphql_schema.cleared_request import cleared_request
from graphql_schema.compiled.raw_json import encode_response
from graphql_schema.context import Context
from graphql_schema.graphiql import graphiql_response
from graphql_schema.limits import ExecutionTimeout
from graphql_schema.observability import CatalogSchema
from graphql_schema.trusted_documents import DocumentRefusal, DocumentStore
from identity.audit import AuditEntry, AuditOutcome
from identity.authentication import Deactivated
from identity.principal import Principal
from identity.tokens import InvalidToken

logger = logging.getLogger(__name__)

PrincipalResolver = Callable[[HTTPConnection, Settings], Awaitable[Principal | None]]
# The caller named by an `Authorization` value (a websocket's connection_init payload);
# raises InvalidToken or Deactivated, as on HTTP.
BearerResolver = Callable[[HTTPConnection, str], Awaitable[Principal]]

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
PARTIAL_SUCCESS = 294
# Under application/graphql-response+json, the status of a request error, by its code.
REQUEST_ERROR_STATUS = {
    "GRAPHQL_VALIDATION_FAILED": 422,
    "DEPTH_LIMIT_EXCEEDED": 422,
    "ALIAS_LIMIT_EXCEEDED": 422,
    "COST_LIMIT_EXCEEDED": 422,
    "PAGE_SIZE_EXCEEDED": 422,
    "TOKEN_LIMIT_EXCEEDED": 400,
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "TIMEOUT": 504,
    "PERSISTED_QUERY_NOT_FOUND": 404,
    "PERSISTED_QUERY_NOT_ALLOWED": 400,
    "RATE_LIMITED": 429,
    "DATABASE_UNAVAILABLE": 503,
}


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer in: the client's preferred one of ours, None if neither."""
    if accept is None or not accept.strip():
        return JSON  # legacy clients send no Accept
    best: str | None = None
    best_quality = 0.0
    refused: set[str] = set()
    for part in accept.split(","):
        media_range, _, parameters = part.partition(";")
        media_range = media_range.strip().lower()
        quality = _quality(parameters)
        if media_range == GRAPHQL_RESPONSE_JSON:
            offer = GRAPHQL_RESPONSE_JSON
        elif media_range in (JSON, "application/*", "*/*"):
            offer = JSON
        else:
            continue
        if quality <= 0:
            if media_range in (JSON, GRAPHQL_RESPONSE_JSON):
                refused.add(media_range)
            continue
        if quality > best_quality and offer not in refused:
            best, best_quality = offer, quality
    return None if best in refused else best


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type == GRAPHQL_RESPONSE_JSON else media_type


def is_request_error(result: ExecutionResult) -> bool:
    """Refused before execution (or stopped whole): no data, and no error has a path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and not any(error.path for error in errors)


def status_for(result: ExecutionResult) -> int:
    """The status of a result under application/graphql-response+json."""
    if not is_request_error(result):
        return PARTIAL_SUCCESS if result.data is not None and result.errors else 200
    first = (result.errors or [])[0]
    if isinstance(first, GraphQLSyntaxError):
        return 400
    return REQUEST_ERROR_STATUS.get(str((first.extensions or {}).get("code")), 500)


class HTTPRefusal(HTTPException):
    """A request refused before GraphQL sees it, with its code and the headers its status
    needs."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        headers: Mapping[str, str] | None = None,
        code: str = "BAD_USER_INPUT",
    ) -> None:
        super().__init__(status_code, reason)
        self.headers = dict(headers or {})
        self.code = code


def refusal_response(error: HTTPException, media_type: str) -> Response:
    code = error.code if isinstance(error, HTTPRefusal) else "BAD_USER_INPUT"
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    headers = error.headers if isinstance(error, HTTPRefusal) else {}
    return Response(
        json.dumps(body),
        status_code=error.status_code,
        media_type=content_type(media_type),
        headers=headers,
    )


def _accepted(request: Request) -> str | None:
    return response_media_type(request.headers.get("accept"))


class CatalogGraphQL(GraphQL[Context, None]):
    """Runs each operation within its time limit, then commits (or rolls back) and answers.

    A pure ASGI app (Strawberry's, not its FastAPI router): no dependency solving, and a
    response object of each request's own. `server/lanes.py` hands it `/graphql`
    before FastAPI routes anything; `graphql_router` serves it as routes too, for apps
    without the lane and for the OpenAPI description.

    Its websocket (graphql-transport-ws) serves subscriptions; the caller is the one the
    handshake named (header, session cookie, or the development identity), unless the
    `connection_init` payload carries `{"Authorization": "Bearer ..."}`, checked as on HTTP.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        settings: Settings,
        principal_for: PrincipalResolver,
        bearer_principal: BearerResolver | None = None,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        # Strawberry refuses a websocket handshake from another origin unless listed here
        # (same-origin, and clients sending no Origin, always pass).
        # GraphiQL (CATALOG_GRAPHIQL) is our page of installed files, never Strawberry's
        # CDN one: see `render_graphql_ide`.
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allowed_origins=allowed_origins,
        )
        self.settings = settings
        self.principal_for = principal_for
        self.bearer_principal = bearer_principal
        self.documents = DocumentStore(settings)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # Without GraphiQL, a browser's GET is answered as any other client's; a GET naming
        # a persisted document (which has no `query`) is a request, never the page.
        params = request.query_params
        by_id = "documentId" in params or "extensions" in params
        return (
            self.graphql_ide is not None
            and not by_id
            and super().should_render_graphql_ide(request)
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_response()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        state = request.scope.get("state") or {}
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        context = Context(
            settings=self.settings,
            sessionmaker=sessionmaker,
            principal=await self.principal_for(request, self.settings),
            facts=state.get("facts"),
            refusals=getattr(request.app.state, "refusals", None),
        )
        context.request = request
        context.response = response if isinstance(response, Response) else None
        return context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            # The request's body, once read, stays on it for the whole way.
            response = await self._answer_cleared(request) or await self.run(request)
        except HTTPException as error:
            response = PlainTextResponse(error.reason, status_code=error.status_code)
        await response(scope, receive, send)

    async def _answer_cleared(self, request: Request) -> Response | None:
        """A query the pipeline cleared before, answered from its compiled plan without the
        view's machinery; None to take the whole way (which answers anything else)."""
        if (
            request.method != "POST"
            or not isinstance(self.schema, CatalogSchema)
            or not self.schema.fast_path  # the subgraph, or tracing: every request the whole way
        ):
            return None
        media_type = _accepted(request)
        if media_type is None:
            return None
        cleared = cleared_request(
            request.headers.get("content-type"),
            await request.body(),
            self.documents,
            exempt=self.documents.exempt(request.headers),
        )
        if cleared is None:
            return None
        context = await self.get_context(request, response=None)
        try:
            data = await self.schema.answer_cleared(
                cleared.query, cleared.variables, context, cleared.operation_name
            )
        except Exception:
            # The whole way runs it again, and reports what went wrong as it always does.
            logger.debug("the fast path failed; taking the whole way", exc_info=True)
            data = None
        await context.finish(commit=False)
        if data is None:
            return None
        answer = {"data": data, "extensions": self.schema.cost_extensions(context)}
        raw = encode_response(answer)
        body = raw if raw is not None else json.dumps(answer)
        response = Response(body, media_type=content_type(media_type))
        _report_spending(response, context)
        return response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is not None:
            context.principal = await self._websocket_principal(context, authorization)
        if context.principal is None and not context.settings.anonymous_read:
            raise ConnectionRejectionError({"message": "sign in to use the catalog"})
        return await super().on_ws_connect(context)

    async def _websocket_principal(self, context: Context, authorization: object) -> Principal:
        assert isinstance(context.request, WebSocket)
        try:
            if not isinstance(authorization, str) or self.bearer_principal is None:
                raise InvalidToken("no trusted bearer token")
            return await self.bearer_principal(context.request, authorization)
        except (InvalidToken, Deactivated) as error:
            logger.info("refused a websocket bearer token: %s", error)
            entry = AuditEntry("AUTHENTICATE", AuditOutcome.DENIED, details={"reason": str(error)})
            await context.audit_refusal(entry)
            raise ConnectionRejectionError({"message": "invalid token"}) from None

    @overload
    async def run(
        self, request: Request, context: Context = UNSET, root_value: None = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> WebSocket: ...

    async def run(
        self,
        request: Request | WebSocket,
        context: Context = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        if self.is_websocket_request(request):
            return await super().run(request, context, root_value)
        assert isinstance(request, Request)
        media_type = _accepted(request)
        try:
            if media_type is None and not self.should_render_graphql_ide(
                self.request_adapter_class(request)
            ):
                raise HTTPRefusal(
                    406, f"accept {GRAPHQL_RESPONSE_JSON} or {JSON}: no other is served"
                )
            response = await super().run(request, context, root_value)
        except HTTPException as error:
            return refusal_response(error, media_type or JSON)
        if media_type == GRAPHQL_RESPONSE_JSON and response.media_type == JSON:
            response.headers["content-type"] = content_type(GRAPHQL_RESPONSE_JSON)
        return response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            media_type, parameters = parse_content_type(request.content_type or "")
            charset = parameters.get("charset", "utf-8").lower()
            if media_type.lower() != JSON or charset not in ("utf-8", "utf8"):
                raise HTTPRefusal(415, f"send the request body as {JSON} in UTF-8")
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(
            data.operation_name, (str, type(None))
        ):
            raise HTTPRefusal(400, "operationName must be a string or null, if provided")
        if isinstance(data, GraphQLRequestData):
            data.query = await self._document(request, data)
        return data

    async def _document(
        self, request: AsyncHTTPRequestAdapter, data: GraphQLRequestData
    ) -> str | None:
        """The document the request runs, by the trusted-documents rules (SPEC §4)."""
        if request.method == "POST":
            body = self.decode_json(await request.get_body())
            document_id = body.get("documentId") if isinstance(body, dict) else None
        else:
            document_id = request.query_params.get("documentId")
        try:
            return self.documents.resolve(
                query=data.query,
                document_id=document_id,
                extensions=data.extensions,
                exempt=self.documents.exempt(request.headers),
            )
        except DocumentRefusal as refusal:
            raise HTTPRefusal(refusal.status, refusal.message, code=refusal.code) from None

    def encode_json(self, data: object) -> str | bytes:
        # A compiled answer's `data` is PostgreSQL's JSON text: written as it is.
        raw = encode_response(data) if isinstance(data, dict) else None
        return raw if raw is not None else super().encode_json(data)

    def decode_json(self, data: str | bytes) -> object:
        try:
            value = json.loads(data)
        except UnicodeDecodeError:
            raise HTTPRefusal(400, "the request is not valid UTF-8") from None
        if not isinstance(value, (dict, list)):
            raise HTTPRefusal(400, "expected a JSON object")
        return value

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        limit = context.settings.execution_timeout_s
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
                if context.retryable:
                    # No pool pre-ping: a pooled connection that died (PostgreSQL restarted,
                    # its backend terminated) fails the first statement instead. Nothing
                    # was written nor sent: run the operation once more on a new connection.
                    logger.warning(
                        "operation %r lost its database connection; running it again",
                        request_data.operation_name,
                    )
                    await context.restart()
                    result = await super().execute_single(
                        request, request_adapter, sub_response, context, root_value, request_data
                    )
        except TimeoutError:
            if not deadline.expired():
                await context.finish(commit=False)
                raise
            # The operation was cancelled mid-statement: its connection cannot be trusted.
            await context.abort()
            logger.warning("operation %r stopped after %s s", request_data.operation_name, limit)
            message = (
                f"the operation ran longer than {limit:g} s (CATALOG_EXECUTION_TIMEOUT_S)"
                " and was stopped; nothing was changed"
            )
            result = ExecutionResult(data=None, errors=[ExecutionTimeout(message)])
        except asyncio.CancelledError:
            await context.abort()
            raise
        except HTTPException as error:
            await context.finish(commit=False)
            if request_adapter.method == "GET" and isinstance(
                error.__cause__, InvalidOperationTypeError
            ):
                raise HTTPRefusal(
                    405,
                    "GET serves queries only: send mutations with POST",
                    headers={"Allow": "POST"},
                ) from error
            raise
        except BaseException:
            await context.finish(commit=False)
            raise
        else:
            result = await _commit(context, result)
        if _accepted(request) == GRAPHQL_RESPONSE_JSON:
            sub_response.status_code = status_for(result)
            if sub_response.status_code == 401:
                sub_response.headers["www-authenticate"] = "Bearer"
        _report_spending(sub_response, context)
        return self._with_cost(result, context)

    def _with_cost(self, result: ExecutionResult, context: Context) -> ExecutionResult:
        """`extensions.cost` on a result the view made itself (time limit, failed commit)."""
        extensions = result.extensions or {}
        if isinstance(self.schema, CatalogSchema) and "cost" not in extensions:
            result.extensions = {**extensions, **self.schema.cost_extensions(context)}
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if _accepted(request) == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            response.pop("data", None)  # a request error has no data entry
        return response


def _report_spending(response: Response, context: Context) -> None:
    """The caller's budget in the RateLimit headers; 429 (under both media types) when it
    could not cover the operation."""
    spending = context.spending
    if spending is None:
        return
    response.headers.update(spending.headers())
    if spending.refused:
        response.status_code = 429


async def _commit(context: Context, result: ExecutionResult) -> ExecutionResult:
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


class GraphQLRoutes(APIRouter):
    """`/graphql`'s routes, and the one view they hand their requests to."""

    def __init__(self, view: CatalogGraphQL) -> None:
        super().__init__(tags=["GraphQL"])
        self.view = view

    def mount_on(self, app: FastAPI, *, prefix: str) -> None:
        """Include the routes in `app`; they find the view through the app they serve."""
        app.state.graphql_view = self.view
        app.include_router(self, prefix=prefix)


# The endpoints are module-level functions, never closures over the view: FastAPI keeps
# the last 4,096 endpoints it has inspected in a module-level cache, and a closure there
# kept every app a process had built (a test run builds thousands) alive, with its schema.
async def _serve(request: Request) -> Response:
    view: CatalogGraphQL = request.app.state.graphql_view
    return await view.run(request)


async def _subscribe(websocket: WebSocket) -> None:
    view: CatalogGraphQL = websocket.app.state.graphql_view
    await view.run(websocket)


def graphql_router(
    schema: strawberry.Schema,
    *,
    settings: Settings,
    principal_for: PrincipalResolver,
    bearer_principal: BearerResolver | None = None,
    allowed_origins: Sequence[str] = (),
) -> GraphQLRoutes:
    """`/graphql` as FastAPI routes (GET, POST, websocket), each handing its request to
    one `CatalogGraphQL`, kept as the router's `view` for the lane; mount it with
    `mount_on(app, prefix=...)`. `allowed_origins`: the other origins whose pages may
    open its websocket."""
    view = CatalogGraphQL(
        schema,
        settings=settings,
        principal_for=principal_for,
        bearer_principal=bearer_principal,
        allowed_origins=allowed_origins,
    )
    router = GraphQLRoutes(view)
    router.add_api_route(
        "",
        _serve,
        methods=["GET"],
        operation_id="graphql_get",
        summary="A GraphQL query (its document in ?query=), or GraphiQL for a browser",
        description="GraphQL over HTTP with GET: `query`, `variables` (JSON), `operationName`"
        " in the query string (or `documentId` for a trusted document); queries only. A"
        " browser asking for text/html gets GraphiQL."
        f" {openapi.MEDIA_TYPES_NOTE}",
        responses=openapi.responses(
            200, 294, 400, 401, 403, 404, 405, 406, 413, 422, 429, 504, html=True
        ),
        response_class=Response,
    )
    router.add_api_route(
        "",
        _serve,
        methods=["POST"],
        operation_id="graphql_post",
        summary="A GraphQL operation, as a JSON body (GraphQL over HTTP)",
        description="A body `{query, variables, operationName}` as application/json in"
        ' UTF-8, or a trusted document by id: `{documentId: "sha256:<hex>", variables}`'
        " (or Apollo's `extensions.persistedQuery`)."
        f" {openapi.MEDIA_TYPES_NOTE}",
        responses=openapi.responses(200, 294, 400, 401, 403, 404, 406, 413, 415, 422, 429, 504),
        response_class=Response,
    )
    router.add_api_websocket_route("", _subscribe)
    return router


__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "CatalogGraphQL",
    "GraphQLRoutes",
    "HTTPRefusal",
    "content_type",
    "graphql_router",
    "response_media_type",
    "status_for",
]
