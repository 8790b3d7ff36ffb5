"""OpenTelemetry traces, only when an exporter is configured.

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, spans
of HTTP requests (FastAPI), SQL statements (SQLAlchemy, over asyncpg), outgoing HTTP
(httpx, and requests: every Salesforce call) and GraphQL operations go to the OTLP/HTTP
exporter, configured by the standard `OTEL_*` variables (`OTEL_SERVICE_NAME` defaults to
service-catalog), and every log line written inside a span carries its `trace_id` and
`span_id`. Without it nothing is imported or installed. The packages are the `otel` extra:
pip install 'service-catalog[otel]'.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from core import logs

logger = logging.getLogger(__name__)

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# /auth/dev and the calendar feeds carry a token in their query string: never in a span.
UNTRACED_URLS = "healthz,readyz,metrics,auth/dev,calendar/"
_provider: Any = None


# What the `otel` extra installs and this module imports.
TRACING_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation.fastapi",
    "opentelemetry.instrumentation.sqlalchemy",
    "opentelemetry.instrumentation.httpx",
    "opentelemetry.instrumentation.requests",
)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def tracing_enabled(
    environ: Mapping[str, str] = os.environ, modules: tuple[str, ...] = TRACING_MODULES
) -> bool:
    """An exporter is configured and the `otel` extra is installed; configured without the
    extra is one warning naming it, and no tracing (never an ImportError at start)."""
    if not any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES):
        return False
    missing = [module for module in modules if not _installed(module)]
    if missing:
        logger.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but %s is not installed: tracing is off;"
            " install the otel extra: pip install 'service-catalog[otel]'",
            missing[0],
        )
        return False
    return True


def _tracer_provider() -> Any:
    """One provider a process, installed globally the first time."""
    global _provider
    if _provider is None:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        name = os.environ.get("OTEL_SERVICE_NAME") or "service-catalog"
        _provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.requests import RequestsInstrumentor

        HTTPXClientInstrumentor().instrument(tracer_provider=_provider)
        # Salesforce: simple-salesforce speaks through requests.
        RequestsInstrumentor().instrument(tracer_provider=_provider)
        logs.use_trace_ids(current_trace_ids)
    return _provider


def current_trace_ids() -> tuple[str, str] | None:
    """The current span's trace and span ids in W3C hex, None outside a recorded span."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def instrument_app(app: FastAPI) -> None:
    """HTTP server spans; call while building the app."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=_tracer_provider(), excluded_urls=UNTRACED_URLS
    )
    logger.info("OpenTelemetry tracing on")


def instrument_engine(engine: AsyncEngine) -> None:
    """SQL spans of the engine's statements; call once the engine exists."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=_tracer_provider()
    )


def shutdown() -> None:
    """Send the spans still buffered."""
    if _provider is not None:
        _provider.force_flush()
