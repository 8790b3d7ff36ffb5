"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from catalog.backups import routes as backup_routes
from core.channel_listener import ChannelListener
from core.db import listen_dsn, make_engine, make_sessionmaker
from core.db_pooler import warn_of_settings_not_applied
from core.notification_hub import NotificationHub
from core.notifications import Channel
from core.settings import Introspection, Settings
from feedback import routes as feedback_routes
from feedback.rate_limit import SubmissionLimiter
from graphql_schema.cost_budget import CostBudget
from graphql_schema.federation.http import LazySubgraphView, mount_subgraph
from graphql_schema.federation.schema import build_subgraph_schema
from graphql_schema.http import graphql_router
from graphql_schema.limits import Limits
from graphql_schema.schema import build_schema
from identity.entra_groups import GraphGroups
from identity.login import routes as login_routes
from identity.login.routes import login_clients
from identity.login.state_cache import DatabaseStateCache
from identity.principal_cache import PrincipalCache
from identity.refusals import RefusalAuditor
from identity.scim.group_routes import router as scim_group_router
from identity.scim.routes import router as scim_router
from identity.tokens import JwksCache, TokenVerifier
from salesforce.gateway import SalesforceGateway
from server import calendar_feed, dev_sign_in, health, subscribers, tracing
from server.access_log import AccessLogMiddleware
from server.caller import AuthenticationMiddleware, bearer_principal, principal_for
from server.cors import ListedOriginsCORS, websocket_origins
from server.database_unavailable import DatabaseUnavailableMiddleware
from server.docs_pages import add_docs_pages
from server.graphql_paths import GRAPHQL_PATH, SUBGRAPH_PATH
from server.heap import freeze_startup_objects
from server.jobs import JobContext, Scheduler
from server.jobs.scheduler import lock_engine_for, run_jobs_and_deliveries
from server.lanes import Lanes
from server.metrics import instrument
from server.middleware import BodySizeLimitMiddleware
from server.openapi import describe_api
from server.request_id import add_request_id
from server.security_headers import add_security_headers

BuiltSchema = TypeVar("BuiltSchema")


def create_app(
    settings: Settings,
    *,
    database_url: str | None = None,
    engine: AsyncEngine | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    with_worker: bool = False,
    dev_token: str | None = None,
) -> FastAPI:
    """Build the API; the engine is made in the lifespan unless a test passes its own.

    `with_worker` runs the scheduled jobs in-process too (`serve --with-worker`, for dev).
    `dev_token` is the token `serve` made at start (server/dev_sign_in.py): in dev with no
    issuer, a request presenting it acts as the development person. Elsewhere it is
    ignored, and without it no request ever does.
    """
    if dev_token is not None and not dev_token.strip():
        raise ValueError("dev_token: an empty token would admit anyone")
    traced = tracing.tracing_enabled()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        url = database_url or settings.database_url or ""
        app.state.engine = engine or make_engine(
            url, statement_timeout_ms=settings.statement_timeout_ms, **settings.pool_options
        )
        direct_url = settings.direct_database_url(url)
        listen_to = listen_dsn(app.state.engine, None if direct_url == url else direct_url)
        app.state.sessionmaker = sessionmaker or make_sessionmaker(app.state.engine)
        if settings.uses_transaction_pooler:
            await warn_of_settings_not_applied(app.state.engine, settings.statement_timeout_ms)
        if traced:
            tracing.instrument_engine(app.state.engine)
        app.state.refusals = RefusalAuditor(app.state.sessionmaker)
        app.state.oauth = login_clients(settings, DatabaseStateCache(app.state.sessionmaker))
        app.state.feedback_limiter = SubmissionLimiter(
            settings.feedback_rate_limit, settings.redis_url
        )
        app.state.salesforce = SalesforceGateway.from_settings(settings)
        app.state.live = NotificationHub(listen_to)
        app.state.principals = PrincipalCache()
        identity_listener = ChannelListener(
            listen_to,
            Channel.IDENTITY,
            on_notify=app.state.principals.on_notification,
            on_state=app.state.principals.listening_changed,
        )
        # Until it listens, the principal cache stays off (each request looks its caller up).
        await identity_listener.start()
        app.state.graph_groups = GraphGroups()
        async with httpx.AsyncClient(follow_redirects=False) as http:
            app.state.http = http
            app.state.token_verifier = token_verifier(settings, http, app.state.graph_groups)
            worker = start_worker(app, settings) if with_worker else None
            freeze_startup_objects()
            try:
                yield
            finally:
                if worker is not None:
                    await stop_worker(*worker)
                await app.state.live.close()
                await identity_listener.close()
                await app.state.salesforce.close()
                await app.state.graph_groups.close()
                tracing.shutdown()
                if own_engine:
                    await app.state.engine.dispose()

    app = FastAPI(
        title="Service Catalog",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.dev_token = dev_token if dev_sign_in.applies(settings) else None
    subscribers.wire(settings)
    limits = Limits.from_settings(settings)
    # One budget for both endpoints: a caller spends it whichever one it calls.
    budget = CostBudget.from_settings(settings)

    def built(build: Callable[..., BuiltSchema]) -> BuiltSchema:
        return build(
            mask_errors=not settings.is_dev,
            limits=limits,
            budget=budget,
            tracing=traced,
            introspection=settings.introspection or Introspection.AUTHENTICATED,
        )

    schema = built(build_schema)
    graphql = graphql_router(
        schema,
        settings=settings,
        principal_for=principal_for,
        bearer_principal=bearer_principal,
        allowed_origins=websocket_origins(settings),
    )
    graphql.mount_on(app, prefix=GRAPHQL_PATH)
    # The federation subgraph: always on, under the same rules; built when first asked.
    subgraph = LazySubgraphView(
        lambda: built(build_subgraph_schema),
        settings=settings,
        principal_for=principal_for,
    )
    mount_subgraph(app, subgraph, prefix=SUBGRAPH_PATH)
    app.include_router(health.router)
    app.include_router(feedback_routes.router)
    app.include_router(backup_routes.router)
    app.include_router(calendar_feed.router)
    app.include_router(scim_group_router)  # before the Users router's catch-all
    app.include_router(scim_router)
    app.include_router(login_routes.router)
    app.include_router(dev_sign_in.router)
    describe_api(app, settings)
    # /docs and the static files of /docs and GraphiQL, all from installed packages.
    add_docs_pages(app, settings)
    # Holds only authlib's per-login markers (the sign-in itself is a server-side session),
    # so innermost, where /graphql never reaches it.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret or secrets.token_hex(32),
        session_cookie="catalog_login",
        max_age=600,
        same_site="lax",
        https_only=not settings.is_dev,
    )
    # /graphql and feedback submissions skip FastAPI's routing once everything outside ran.
    app.add_middleware(
        Lanes,
        every_method={GRAPHQL_PATH: graphql.view},
        post={feedback_routes.FEEDBACK_PATH: feedback_routes.submission_door},
    )
    app.add_middleware(AuthenticationMiddleware, settings=settings)
    # Outside the caller's lookup, which needs the database too.
    app.add_middleware(DatabaseUnavailableMiddleware)
    # A body too large is refused before anyone reads it.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    # A preflight carries no credentials: answered before authentication could refuse it
    # (and before the lane, which would hand /graphql's to the view); refusals of the
    # middlewares inside still carry the headers a browser needs to read them.
    if settings.cors_origins:
        app.add_middleware(ListedOriginsCORS, origins=settings.cors_origins)
    # Outermost, last added: requests counted, logged and given their id whatever answers.
    instrument(app)
    app.add_middleware(AccessLogMiddleware)
    add_request_id(app)
    add_security_headers(app, settings)
    if traced:
        tracing.instrument_app(app)
    return app


def start_worker(app: FastAPI, settings: Settings) -> tuple[Scheduler, asyncio.Task[None]]:
    """The scheduled jobs and the notification dispatcher, in-process (`serve --with-worker`)."""
    context = JobContext(
        settings, app.state.engine, app.state.sessionmaker, lock_engine_for(settings)
    )
    scheduler = Scheduler(context)
    return scheduler, asyncio.create_task(run_jobs_and_deliveries(scheduler), name="worker")


async def stop_worker(scheduler: Scheduler, task: asyncio.Task[None]) -> None:
    scheduler.stop.set()
    with contextlib.suppress(Exception):
        await task
    if scheduler.context.lock_engine is not None:
        await scheduler.context.lock_engine.dispose()


def token_verifier(
    settings: Settings, http: httpx.AsyncClient, groups: GraphGroups | None = None
) -> TokenVerifier | None:
    if not settings.oidc_issuers:
        return None
    return TokenVerifier(
        settings.oidc_issuers, JwksCache(http), allow_http=settings.is_dev, groups=groups
    )
