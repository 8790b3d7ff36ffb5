"""W0, W1 and W2 over HTTP, and the PostGraphile peer: requests per second, interleaved.

Every server runs on the server core (taskset), wrk on the other; PostgreSQL is not
pinned. Each cell is one server and one request kind; a repetition runs every cell once
for `duration_s`, in an order rotated from one repetition to the next.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.documents import SERVICE_BY_SLUG, SERVICES_PAGE, TYPENAME
from bench.inprocess import first_difference
from bench.load import Request, WrkResult, wrk
from bench.processes import DEV_COOKIE, JSON_HEADERS
from bench.stats import spread


class HttpMismatch(AssertionError):
    pass


def graphql(document: str, variables: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"query": document, "variables": variables or {}})


@dataclass(frozen=True)
class Cell:
    name: str
    base_url: str
    request: Request


@dataclass
class CellSeries:
    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0

    def add(self, result: WrkResult) -> None:
        self.rps.append(result.rps)
        self.p50_ms.append(result.p50_ms or float("nan"))
        self.p99_ms.append(result.p99_ms or float("nan"))
        self.errors += result.errors
        self.requests += result.requests

    @property
    def median(self) -> float:
        return statistics.median(self.rps) if self.rps else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "rps_median": round(self.median, 1),
            "rps_max": round(max(self.rps), 1) if self.rps else None,
            "p50_ms_median": round(statistics.median(self.p50_ms), 2) if self.p50_ms else None,
            "p99_ms_median": round(statistics.median(self.p99_ms), 2) if self.p99_ms else None,
            "requests": self.requests,
            "errors": self.errors,
        }


def run_cells(
    cells: list[Cell], *, reps: int, duration_s: float, log: Callable[[str], None]
) -> dict[str, CellSeries]:
    series = {cell.name: CellSeries() for cell in cells}
    for cell in cells:  # warm up: JIT-free Python still fills caches, pools and plans
        wrk(cell.base_url, [cell.request], duration_s=1)
    for round_ in range(reps):
        shift = round_ % len(cells)
        for cell in cells[shift:] + cells[:shift]:
            series[cell.name].add(wrk(cell.base_url, [cell.request], duration_s=duration_s))
        log(f"  repetition {round_ + 1}/{reps}")
    return series


def check_json(name: str, url: str, request: Request, expected: bytes) -> None:
    """The body a server answers must carry the same JSON value as reference A's."""
    if request.body is None:
        response = httpx.get(url + request.path, headers={"cookie": DEV_COOKIE}, timeout=30)
    else:
        response = httpx.post(
            url + request.path,
            content=request.body,
            headers=JSON_HEADERS,
            timeout=30,
        )
    if response.status_code != 200:
        raise HttpMismatch(f"{name}: HTTP {response.status_code} {response.text[:300]}")
    answer = orjson.loads(response.content)
    if isinstance(answer, dict):
        answer.pop("extensions", None)  # the API's own (its cost); reference A has none
    found = first_difference(orjson.loads(expected), answer)
    if found:
        raise HttpMismatch(f"{name} differs from reference A at {found}")


def read_requests(slug: str) -> dict[str, tuple[Request, Request]]:
    """Workload -> (API request, raw-route request) returning the same JSON."""
    return {
        "page20": (
            Request("/graphql", graphql(SERVICES_PAGE, {"first": 20})),
            Request("/raw/services?first=20"),
        ),
        "page100": (
            Request("/graphql", graphql(SERVICES_PAGE, {"first": 100})),
            Request("/raw/services?first=100"),
        ),
        "service": (
            Request("/graphql", graphql(SERVICE_BY_SLUG, {"slug": slug})),
            Request(f"/raw/service?slug={slug}"),
        ),
    }


TYPENAME_REQUEST = Request("/graphql", graphql(TYPENAME))
BARE = Request("/bare")
ONE_ROW = Request("/one-row")


@dataclass
class HttpResult:
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    w0: dict[str, dict[str, float]] = field(default_factory=dict)
    noisy: bool = False
    r4: dict[str, float] = field(default_factory=dict)
    peer: dict[str, float] = field(default_factory=dict)
    r7: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    round_trips: dict[str, dict[str, int]] = field(default_factory=dict)


def w0_block(raw_url: str, *, reps: int, duration_s: float) -> dict[str, CellSeries]:
    cells = [Cell("bare", raw_url, BARE), Cell("one_row", raw_url, ONE_ROW)]
    return run_cells(cells, reps=reps, duration_s=duration_s, log=lambda _: None)


def summarise(
    result: HttpResult,
    series: dict[str, CellSeries],
    before: dict[str, CellSeries],
    after: dict[str, CellSeries],
) -> None:
    result.cells = {name: one.as_json() for name, one in series.items()}
    for name in ("bare", "one_row"):
        result.w0[name] = {
            "first_rps": round(before[name].median, 1),
            "second_rps": round(after[name].median, 1),
        }
    result.noisy = any(
        spread(before[name].median, after[name].median) > 0.15 for name in ("bare", "one_row")
    )
    for workload in ("page20", "page100", "service"):
        raw = series.get(f"raw_{workload}")
        if raw is None or not raw.median:
            continue
        if f"api_{workload}" in series:
            result.r4[workload] = round(series[f"api_{workload}"].median / raw.median, 3)
        if f"peer_{workload}" in series:
            result.peer[workload] = round(series[f"peer_{workload}"].median / raw.median, 3)
    bare = before["bare"].median
    if "typename" in series and bare:
        typename = series["typename"].median
        result.r7 = {
            "typename_over_bare": round(typename / bare, 3),
            "typename_rps": round(typename, 1),
            "bare_rps": round(bare, 1),
            "typename_minus_bare_us": round((1 / typename - 1 / bare) * 1e6, 1),
        }


API_PORT, RAW_PORT = 8711, 8712


async def deep_slug(pool: Any) -> str:
    """The service with the most related records (and a business calendar): W2's subject."""
    async with pool.acquire() as connection:
        slug: str = await connection.fetchval(
            """SELECT s.slug FROM service s
               WHERE s.archived_at IS NULL AND s.business_calendar IS NOT NULL
               ORDER BY (SELECT count(*) FROM ownership_role r WHERE r.service_id = s.id)
                      + (SELECT count(*) FROM service_salesforce_org l
                         WHERE l.service_id = s.id) DESC, s.slug
               LIMIT 1"""
        )
    return slug


async def run(
    database_url: str,
    *,
    stamp: str,
    reps: int,
    duration_s: float,
    log: Callable[[str], None],
    peer: Any = None,
    after_reads: Callable[[Any, str, dict[str, CellSeries]], dict[str, Any]] | None = None,
) -> HttpResult:
    """Start the API and the raw server, check every answer, then measure all cells."""
    from bench import processes, roundtrips
    from bench.reference import ReferenceA, create_pool

    pool = await create_pool(database_url)
    reference = ReferenceA(pool, stamp)
    slug = await deep_slug(pool)
    expected = {
        "page20": await reference.page(20, None),
        "page100": await reference.page(100, None),
        "service": await reference.service(slug),
    }
    await pool.close()
    reads = read_requests(slug)
    counted = await roundtrips.count(
        database_url,
        {"typename": TYPENAME_REQUEST, **{name: pair[0] for name, pair in reads.items()}},
    )
    api = processes.uvicorn(
        "api", "bench.servers:api_app", port=API_PORT, database_url=database_url,
        ready_path="/healthz", stamp=stamp,
    )  # fmt: skip
    raw = processes.uvicorn(
        "raw", "bench.servers:raw_app", port=RAW_PORT, database_url=database_url,
        ready_path="/bare", stamp=stamp,
    )  # fmt: skip
    try:
        cells = [Cell("typename", api.url, TYPENAME_REQUEST)]
        for workload, (api_request, raw_request) in reads.items():
            check_json(f"API {workload}", api.url, api_request, expected[workload])
            check_json(f"raw {workload}", raw.url, raw_request, expected[workload])
            cells += [
                Cell(f"api_{workload}", api.url, api_request),
                Cell(f"raw_{workload}", raw.url, raw_request),
            ]
        if peer is not None:
            cells += peer.cells(expected, slug)
        log(f"HTTP: JSON checked; W0 calibration, then {len(cells)} cells x {reps} repetitions")
        before = w0_block(raw.url, reps=reps, duration_s=duration_s)
        series = run_cells(cells, reps=reps, duration_s=duration_s, log=log)
        after = w0_block(raw.url, reps=reps, duration_s=duration_s)
        extra = after_reads(api, slug, series) if after_reads is not None else {}
    finally:
        api.stop()
        raw.stop()
    result = HttpResult(extra=extra, round_trips=counted)
    summarise(result, series, before, after)
    return result
