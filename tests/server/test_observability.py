"""Logs, request ids and metrics: what an operator sees, and what never leaks into it."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest
import structlog
from graphql import GraphQLError

from graphql_schema.observability import CatalogSchema, outcome_of
from graphql_schema.schema import build_schema

QUERY = {"query": "query Me { __typename }"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("logger") == "service_catalog.access"]


async def test_one_access_line_per_request_with_its_id_and_actor(
    client: httpx.AsyncClient, json_logs: Any
) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"X-Request-ID": "req-7"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-7"
    [line] = access_lines(json_logs())
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert (line["request_id"], line["method"], line["path"], line["status"]) == (
        "req-7",
        "POST",
        "/graphql",
        200,
    )
    assert line["actor"]  # the development identity, in dev on loopback
    assert isinstance(line["duration_ms"], float)


async def test_no_token_cookie_or_query_string_is_logged(
    client: httpx.AsyncClient, json_logs: Any
) -> None:
    response = await client.post(
        "/graphql?code=query-secret",
        json=QUERY,
        headers={
            "Authorization": "Bearer token-secret-1234",
            "Cookie": "catalog_session=cookie-secret-5678",
        },
    )

    assert response.status_code == 401  # no issuer trusts the token
    lines = json_logs()
    text = json.dumps(lines)
    assert "token-secret-1234" not in text
    assert "cookie-secret-5678" not in text
    assert "query-secret" not in text
    [line] = access_lines(lines)
    assert (line["path"], line["status"], line["actor"]) == ("/graphql", 401, None)
    assert line["request_id"] == response.headers["x-request-id"]


def test_secret_looking_keys_are_redacted(json_logs: Any) -> None:
    structlog.get_logger("test").info(
        "settings", session_secret="s3cr3t", headers={"authorization": "Bearer x"}, ok=1
    )

    [line] = json_logs()
    assert line["session_secret"] == "[redacted]"
    assert line["headers"] == {"authorization": "[redacted]"}
    assert line["ok"] == 1


def test_an_exception_logged_after_its_handler_keeps_its_traceback(json_logs: Any) -> None:
    """As Strawberry logs the original exception of a GraphQL error, long after catching it."""
    try:
        raise RuntimeError("bug")
    except RuntimeError as bug:
        caught = bug
    logging.getLogger("strawberry.execution").error("failed", exc_info=caught)

    [line] = json_logs()
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("RuntimeError: bug")


async def test_a_request_id_is_made_when_missing_or_unsafe(client: httpx.AsyncClient) -> None:
    made = await client.post("/graphql", json=QUERY)
    unsafe = await client.post("/graphql", json=QUERY, headers={"X-Request-ID": "a b\tc"})
    refused = await client.post("/graphql", json=QUERY, headers={"Authorization": "Basic x"})

    assert UUID.fullmatch(made.headers["x-request-id"])
    assert UUID.fullmatch(unsafe.headers["x-request-id"])
    assert UUID.fullmatch(refused.headers["x-request-id"])  # answered by the middleware
    assert len({r.headers["x-request-id"] for r in (made, unsafe, refused)}) == 3


async def test_expected_graphql_errors_log_at_info_without_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="strawberry.execution"):
        response = await client.post("/graphql", json={"query": "{ noSuchField }"})

    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    records = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].exc_info is None


def test_unexpected_errors_log_at_error_with_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema = build_schema()
    assert isinstance(schema, CatalogSchema)
    try:
        raise RuntimeError("bug")
    except RuntimeError as bug:
        unexpected = GraphQLError("bug", original_error=bug)
    refused = GraphQLError("no", extensions={"code": "FORBIDDEN"})

    with caplog.at_level(logging.INFO, logger="strawberry.execution"):
        schema.process_errors([unexpected, refused])

    assert [(r.levelno, r.exc_info is not None) for r in caplog.records] == [
        (logging.ERROR, True),
        (logging.INFO, False),
    ]


def test_outcomes_of_operations() -> None:
    def coded(code: str) -> GraphQLError:
        return GraphQLError("x", extensions={"code": code})

    assert outcome_of(None) == "success"
    assert outcome_of([coded("FORBIDDEN"), coded("BAD_USER_INPUT")]) == "refused"
    assert outcome_of([coded("TIMEOUT")]) == "timeout"
    assert outcome_of([coded("FORBIDDEN"), coded("INTERNAL_SERVER_ERROR")]) == "error"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text format."""
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if not series.startswith(name + "{") and series != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            return float(value)
    raise AssertionError(f"no {name} {labels} in the scrape")


async def test_metrics_count_requests_by_route_and_operations_by_outcome(
    client: httpx.AsyncClient,
) -> None:
    before = (await client.get("/metrics")).text
    query_ok = sample(before, "graphql_operations_total", operation_type="query", outcome="success")

    await client.post("/graphql", json=QUERY)
    await client.post("/graphql", json={"query": "{ noSuchField }"})
    await client.get("/services/0d4a6d3e-0000-4000-8000-000000000000/secret-path")
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample(text, "http_requests_total", handler="/graphql", status="200") >= 2
    assert sample(text, "http_requests_total", handler="none", status="404") >= 1
    assert sample(text, "http_request_duration_seconds_count", handler="/graphql") >= 2
    assert "0d4a6d3e" not in text  # route templates, never raw paths
    assert "secret-path" not in text
    assert (
        sample(text, "graphql_operations_total", operation_type="query", outcome="success")
        == query_ok + 1
    )
    assert sample(text, "graphql_operations_total", operation_type="query", outcome="refused")
    assert sample(text, "graphql_operation_duration_seconds_count", operation_type="query") >= 1
    assert sample(text, "db_pool_size") >= 1
    assert 'handler="/metrics"' not in text


async def test_requests_are_labelled_by_their_route_template_each_time(
    client: httpx.AsyncClient,
) -> None:
    for person in ("0d4a6d3e-0000-4000-8000-000000000001", "0d4a6d3e-0000-4000-8000-000000000002"):
        for _ in range(2):  # the second time, the path's template is remembered
            await client.get(f"/scim/v2/Users/{person}")

    text = (await client.get("/metrics")).text
    assert sample(text, "http_requests_total", handler="/scim/v2/Users/{person_id}") >= 4
    assert "0d4a6d3e" not in text


async def test_metrics_need_no_credentials(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})

    assert response.status_code == 200


def test_tracing_only_with_an_exporter_and_without_a_span_per_field() -> None:
    from strawberry.extensions import SchemaExtension

    from server.tracing import tracing_enabled

    assert not tracing_enabled({})
    assert tracing_enabled({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    extensions = build_schema(tracing=True).get_extensions()
    names = [type(extension).__name__ for extension in extensions]
    assert "OperationTracing" in names
    assert all(type(e).resolve is SchemaExtension.resolve for e in extensions)


def test_an_exporter_without_the_otel_extra_is_one_warning_and_no_tracing(
    json_logs: Any,
) -> None:
    from server.tracing import tracing_enabled

    configured = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}

    assert not tracing_enabled(configured, modules=("opentelemetry.sdk", "no_such_otel_package"))
    [line] = [line for line in json_logs() if line["logger"] == "server.tracing"]
    assert line["level"] == "warning"
    assert "no_such_otel_package is not installed" in line["event"]
    assert "pip install 'service-catalog[otel]'" in line["event"]


def test_with_tracing_on_a_log_line_inside_a_span_carries_its_trace_and_span_ids(
    json_logs: Any,
) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    from core.logs import use_trace_ids
    from server.tracing import current_trace_ids

    tracer = TracerProvider().get_tracer("tests")
    use_trace_ids(current_trace_ids)
    try:
        with tracer.start_as_current_span("a request") as span:
            structlog.get_logger("tests").info("inside")
        structlog.get_logger("tests").info("outside")
    finally:
        use_trace_ids(None)

    inside, outside = [line for line in json_logs() if line["logger"] == "tests"]
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside
