"""W3 writes, W4 the fixed-rate mix (R5), and the API server's RSS drift (R6)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import orjson

from bench import processes
from bench.documents import CREATE_SERVICE, SERVICE_BY_SLUG
from bench.http_bench import TYPENAME_REQUEST, HttpMismatch, graphql, read_requests
from bench.inprocess import first_difference
from bench.load import FixedRate, LoadError, Request, collect, hey_processes, merged, wrk
from bench.reference import gid
from bench.seed import with_database

Log = Callable[[str], None]
MIX_WEIGHTS = {"page20": 6, "service": 3, "typename": 1}


def _mix(slug: str) -> dict[str, Request]:
    requests = {name: pair[0] for name, pair in read_requests(slug).items()}
    return {"page20": requests["page20"], "service": requests["service"],
            "typename": TYPENAME_REQUEST}  # fmt: skip


def w4(api_url: str, slug: str, *, duration_s: float, reps: int, log: Log) -> dict[str, Any]:
    """The mix's maximum rate (wrk), then hey at 50 % and 80 % of it: p50, p99, errors."""
    mix = _mix(slug)
    weighted = [mix[name] for name, weight in MIX_WEIGHTS.items() for _ in range(weight)]
    wrk(api_url, weighted, duration_s=1)
    maximum = statistics.median(
        wrk(api_url, weighted, duration_s=duration_s).rps for _ in range(max(3, reps // 2))
    )
    result: dict[str, Any] = {"mix": MIX_WEIGHTS, "max_rps": round(maximum, 1)}
    if maximum <= 0:
        raise LoadError("W4: the mix's maximum rate measured 0")
    total = sum(MIX_WEIGHTS.values())
    seconds = 4 * duration_s
    for fraction in (0.5, 0.8):
        rate = maximum * fraction
        log(f"W4: {fraction:.0%} of {maximum:.0f} req/s for {seconds:g} s")
        running = hey_processes(
            api_url,
            [(name, mix[name], rate * weight / total) for name, weight in MIX_WEIGHTS.items()],
            duration_s=seconds,
        )
        kinds = collect(running, seconds)
        fixed = merged(list(kinds.values()))
        result[f"{fraction:.0%}"] = {
            "target_rps": round(rate, 1),
            **_latencies(fixed),
            "kinds": {name: _latencies(kind) for name, kind in kinds.items()},
        }
    return result


def _latencies(fixed: FixedRate) -> dict[str, Any]:
    return {
        "achieved_rps": round(fixed.achieved_rps, 1),
        "p50_ms": round(fixed.p50, 2),
        "p99_ms": round(fixed.percentile(0.99), 2),
        "p99_over_p50": round(fixed.percentile(0.99) / fixed.p50, 2),
        "errors": fixed.errors,
    }


def rss_drift(
    server: processes.Server, slug: str, *, requests: int, expected_rps: float, cap_s: float
) -> dict[str, Any]:
    """RSS after a warm-up, then after ~`requests` more of W2 (the full selection).

    Bounded in time: at `expected_rps` (W2's measured rate) it runs for requests/rps
    seconds, at most `cap_s`; the figure names how many requests it actually made.
    """
    request = read_requests(slug)["service"][0]
    seconds = min(cap_s, max(5.0, requests / max(expected_rps, 1.0)))
    warm = wrk(server.url, [request], duration_s=max(2.0, seconds / 5))
    before = server.rss_mib()
    run = wrk(server.url, [request], duration_s=seconds)
    after = server.rss_mib()
    return {
        "requests": run.requests,
        "rss_MiB_after_warmup": round(before, 1),
        "rss_MiB_after_requests": round(after, 1),
        "rss_drift_MiB": round(after - before, 1),
        "rss_drift_MiB_per_10k_requests": round((after - before) / max(run.requests, 1) * 1e4, 1),
        "errors": warm.errors + run.errors,
    }


WRITE_DB = "sc_bench_write"


async def _writes_database(server_url: str, template: str) -> tuple[str, str, str, bool]:
    """A copy of the largest catalog for W3: its URL, a team, a service, has feedback."""
    admin = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{WRITE_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{WRITE_DB}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    url = with_database(server_url, WRITE_DB)
    connection = await asyncpg.connect(url)
    try:
        team = await connection.fetchval("SELECT id FROM team ORDER BY slug LIMIT 1")
        slug = await connection.fetchval(
            "SELECT slug FROM service WHERE archived_at IS NULL ORDER BY slug LIMIT 1"
        )
        feedback = await connection.fetchval("SELECT to_regclass('feedback') IS NOT NULL")
    finally:
        await connection.close()
    return url, str(team), slug, bool(feedback)


def _feedback_bodies(slug: str) -> tuple[Request, Request]:
    body = orjson.dumps({"service": slug, "kind": "IDEA", "title": "%s", "body": "%s"})
    return Request("/api/feedback", body, unique_slug=True), Request(
        "/raw/feedback", body, unique_slug=True
    )


def _check_feedback(api_url: str, raw_url: str, api: Request, raw: Request) -> None:
    """Same JSON from both, and each submission readable by the next request."""
    answers = []
    for base, request, title in ((api_url, api, "w3-check-api"), (raw_url, raw, "w3-check-raw")):
        body = (request.body or b"").decode().replace("%s", title).encode()
        response = httpx.post(base + request.path, content=body, headers=processes.JSON_HEADERS)
        if response.status_code != 201:
            raise HttpMismatch(f"{base}: HTTP {response.status_code} {response.text[:300]}")
        answer: dict[str, Any] = orjson.loads(response.content)
        read = _post(
            api_url + "/graphql",
            graphql("query($id: ID!) { node(id: $id) { id } }", {"id": answer["id"]}),
        )
        if (read["data"]["node"] or {}).get("id") != answer["id"]:
            raise HttpMismatch(f"read after write: {answer['id']} from {base} is not readable")
        answer["id"] = answer["id"][:6]  # a new id each time; its type prefix must agree
        answers.append(answer)
    found = first_difference(answers[1], answers[0])
    if found:
        raise HttpMismatch(f"feedback submission differs from the raw insert at {found}")


def _bodies(team: str) -> tuple[Request, Request]:
    variables = {"input": {"slug": "%s", "name": "%s", "ownerTeamId": gid("Team", team),
                           "tier": "TIER_3"}}  # fmt: skip
    api = Request("/graphql", graphql(CREATE_SERVICE, variables), unique_slug=True)
    raw_body = {"slug": "%s", "name": "%s", "ownerTeamId": team, "tier": "TIER_3"}
    raw = Request("/raw/services", orjson.dumps(raw_body), unique_slug=True)
    return api, raw


def _post(url: str, body: bytes) -> dict[str, Any]:
    response = httpx.post(url, content=body, headers=processes.JSON_HEADERS)
    if response.status_code != 200:
        raise HttpMismatch(f"{url}: HTTP {response.status_code} {response.text[:300]}")
    answer: dict[str, Any] = orjson.loads(response.content)
    return answer


def _check_writes(api_url: str, raw_url: str, api: Request, raw: Request) -> None:
    """Same JSON from both, and each write readable by the next request."""
    answers = []
    for base, request, slug in ((api_url, api, "w3-check-api"), (raw_url, raw, "w3-check-raw")):
        body = (request.body or b"").decode().replace("%s", slug).encode()
        answer = _post(base + request.path, body)
        service = answer["data"]["createService"]["service"]
        if service is None or service["slug"] != slug:
            raise HttpMismatch(f"{base}: the write failed: {answer}")
        service["slug"] = service["name"] = "w3-check"
        answers.append(answer)
        read = _post(api_url + "/graphql", graphql(SERVICE_BY_SLUG, {"slug": slug}))
        if (read["data"]["service"] or {}).get("slug") != slug:
            raise HttpMismatch(f"read after write: {slug} written by {base} is not readable")
    found = first_difference(answers[1], answers[0])
    if found:
        raise HttpMismatch(f"createService differs from the raw insert at {found}")


async def _created(url: str, prefix: str, *, feedback: bool) -> int:
    connection = await asyncpg.connect(url)
    query = (
        "SELECT count(*) FROM feedback WHERE title LIKE $1"
        if feedback
        else "SELECT count(*) FROM service WHERE slug LIKE $1"
    )
    try:
        count: int = await connection.fetchval(query, prefix + "%")
    finally:
        await connection.close()
    return count


async def w3(
    server_url: str, template: str, *, reps: int, duration_s: float, log: Log
) -> dict[str, Any]:
    """Feedback submission (createService before feedback existed) against a raw INSERT …
    RETURNING route, default durability."""
    url, team, slug, feedback = await _writes_database(server_url, template)
    api_request, raw_request = _feedback_bodies(slug) if feedback else _bodies(team)
    api = processes.uvicorn(
        "api-writes", "bench.servers:api_app", port=8721, database_url=url, ready_path="/healthz"
    )
    raw = processes.uvicorn(
        "raw-writes", "bench.servers:raw_app", port=8722, database_url=url, ready_path="/bare"
    )
    try:
        if feedback:
            _check_feedback(api.url, raw.url, api_request, raw_request)
        else:
            _check_writes(api.url, raw.url, api_request, raw_request)
        series: dict[str, list[float]] = {"api": [], "raw": []}
        completed = {"api": 0, "raw": 0}
        errors = 0
        cells = [("api", api.url, api_request), ("raw", raw.url, raw_request)]
        for name, base, request in cells:  # warm-up
            wrk(base, [request], duration_s=1, slug_prefix=f"w3-warm-{name}-")
        for round_ in range(reps):
            for name, base, request in cells if round_ % 2 == 0 else cells[::-1]:
                result = wrk(
                    base, [request], duration_s=duration_s, slug_prefix=f"w3-{name}-r{round_}-"
                )
                series[name].append(result.rps)
                completed[name] += result.requests
                errors += result.errors
        log(f"W3: {completed} writes; checking every one was stored")
        stored = {name: await _created(url, f"w3-{name}-r", feedback=feedback) for name in series}
    finally:
        api.stop()
        raw.stop()
    missing = {name: completed[name] - stored[name] for name in series}
    if any(count > 0 for count in missing.values()):
        raise LoadError(f"W3: acknowledged writes missing from the database: {missing}")
    api_rps, raw_rps = statistics.median(series["api"]), statistics.median(series["raw"])
    return {
        "write": "POST /api/feedback" if feedback else "createService",
        "api_rps": round(api_rps, 1),
        "raw_insert_rps": round(raw_rps, 1),
        "api_over_raw": round(api_rps / raw_rps, 3) if raw_rps else None,
        "writes_acknowledged": completed,
        "writes_stored": stored,
        "errors": errors,
        "read_after_write": "checked",
    }


__all__ = ["rss_drift", "w3", "w4"]
