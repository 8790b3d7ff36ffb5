"""Stage `replicas`: the W4 read mix's maximum rate through nginx running
deploy/nginx/service-catalog.conf, against one API replica and against two (the same data,
the same nginx configuration), interleaved; and the CPU each group of processes used meanwhile.

Nothing is pinned but wrk (the load core, as everywhere in the bench): the replicas,
nginx and PostgreSQL share the machine's cores, which is what bounds the second replica's
gain on a small machine. CPU is read from /proc before and after each run.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import processes, replicas_nginx
from bench.http_bench import TYPENAME_REQUEST, deep_slug, read_requests
from bench.load import LoadError, Request, wrk
from bench.load_bench import MIX_WEIGHTS
from bench.reference import create_pool
from bench.replicas_cpu import Snapshot, cores_used, postgres_backends

Log = Callable[[str], None]
REPLICA_PORTS = (8731, 8732)
NGINX_PORTS = {"one": 8741, "two": 8742}
# Enough concurrent requests to keep two replicas and PostgreSQL busy; the same for both.
CONNECTIONS = 16
GROUPS = ("replicas", "nginx", "postgres", "wrk", "interrupts", "other processes")


@dataclass
class Series:
    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0
    cores: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in GROUPS})
    cpu_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0.0))

    def as_json(self) -> dict[str, Any]:
        return {
            "rps_median": round(statistics.median(self.rps), 1),
            "rps": [round(value, 1) for value in self.rps],
            "p50_ms_median": round(statistics.median(self.p50_ms), 2),
            "p99_ms_median": round(statistics.median(self.p99_ms), 2),
            "requests": self.requests,
            "errors": self.errors,
            "cores_used_median": {
                name: round(statistics.median(values), 2) for name, values in self.cores.items()
            },
            # What one request costs each group, whatever else the machine was doing.
            "cpu_ms_per_request": {
                name: round(1000 * seconds / max(self.requests, 1), 2)
                for name, seconds in self.cpu_s.items()
                if name != "other processes"
            },
        }


def _w4_mix(slug: str) -> dict[str, Request]:
    """W4's requests (bench/load_bench.py), weighted by MIX_WEIGHTS."""
    reads = read_requests(slug)
    return {"page20": reads["page20"][0], "service": reads["service"][0],
            "typename": TYPENAME_REQUEST}  # fmt: skip


def _check(base_url: str, requests: dict[str, Request]) -> None:
    """Every request of the mix answers 200 without errors through nginx."""
    for name, request in requests.items():
        response = httpx.post(
            base_url + request.path,
            content=request.body,
            headers=processes.JSON_HEADERS,
            timeout=30,
        )
        if response.status_code != 200 or "errors" in response.json():
            raise LoadError(f"replicas: {name} through nginx: {response.text[:300]}")


def _start_replicas(database_url: str) -> list[processes.Server]:
    started: list[processes.Server] = []
    try:
        for number, port in enumerate(REPLICA_PORTS, start=1):
            started.append(
                processes.uvicorn(
                    f"replica-{number}",
                    "bench.servers:api_app",
                    port=port,
                    database_url=database_url,
                    ready_path="/healthz",
                    cpus=processes.ALL_CPUS,
                )
            )
    except Exception:
        for server in started:
            server.stop()
        raise
    return started


async def run(
    database_url: str, database: str, *, reps: int, duration_s: float, log: Log
) -> dict[str, Any]:
    """Both configurations measured `reps` times each, alternating, after a warm-up."""
    pool = await create_pool(database_url, size=1)
    try:
        slug = await deep_slug(pool)
    finally:
        await pool.close()
    mix = _w4_mix(slug)
    weighted = [mix[name] for name, weight in MIX_WEIGHTS.items() for _ in range(weight)]
    replicas = _start_replicas(database_url)
    addresses = [f"127.0.0.1:{server.port}" for server in replicas]
    fronts: dict[str, replicas_nginx.Nginx] = {}
    try:
        for name, upstream in (("one", addresses[:1]), ("two", addresses)):
            prefix = processes.LOGS / f"nginx-replicas-{name}"
            fronts[name] = replicas_nginx.start(
                prefix, upstream, port=NGINX_PORTS[name], access_log=False
            )
        for front in fronts.values():
            _check(front.url, mix)
            wrk(front.url, weighted, duration_s=2, connections=CONNECTIONS)  # warm-up
        series = {name: Series() for name in fronts}
        for round_ in range(reps):
            order = list(fronts) if round_ % 2 == 0 else list(fronts)[::-1]
            for name in order:
                _measure(fronts[name], replicas, database, weighted, duration_s, series[name])
            log(f"  replicas: repetition {round_ + 1}/{reps}: " + ", ".join(
                f"{name} {series[name].rps[-1]:.0f} req/s" for name in fronts))  # fmt: skip
    finally:
        for front in fronts.values():
            front.stop()
        for server in replicas:
            server.stop()
    return _summary(series, reps=reps, duration_s=duration_s)


def _measure(
    front: replicas_nginx.Nginx,
    replicas: list[processes.Server],
    database: str,
    weighted: list[Request],
    duration_s: float,
    series: Series,
) -> None:
    groups = {
        "replicas": [server.process.pid for server in replicas],
        "nginx": [front.process.pid],
        "postgres": postgres_backends(database),
    }
    before = Snapshot.take(pid for pids in groups.values() for pid in pids)
    result = wrk(front.url, weighted, duration_s=duration_s, connections=CONNECTIONS)
    groups["postgres"] = postgres_backends(database)  # a backend opened meanwhile: from 0
    after = Snapshot.take(pid for pids in groups.values() for pid in pids)
    seconds = max(1, round(duration_s))
    series.rps.append(result.rps)
    series.p50_ms.append(result.p50_ms or float("nan"))
    series.p99_ms.append(result.p99_ms or float("nan"))
    series.errors += result.errors
    series.requests += result.requests
    for name, cores in cores_used(before, after, groups, seconds, child="wrk").items():
        series.cores[name].append(cores)
        series.cpu_s[name] += cores * seconds


def _ceilings(one: dict[str, Any], two: dict[str, Any]) -> dict[str, float]:
    """The rates the measured CPU per request allows: a replica's process gets at most one
    core, every process together at most the machine's cores."""
    cores = os.cpu_count() or 2
    ceilings = {}
    for name, replicas, measured in (("one", 1, one), ("two", 2, two)):
        cost = measured["cpu_ms_per_request"]
        ceilings[name] = min(1000 * replicas / cost["replicas"], 1000 * cores / sum(cost.values()))
    return {name: round(value) for name, value in ceilings.items()}


def _bound(two: dict[str, Any], ceilings: dict[str, float]) -> str:
    cores = os.cpu_count() or 2
    parts = ", ".join(f"{name} {value:g}" for name, value in two["cpu_ms_per_request"].items())
    used = two["cores_used_median"]
    return (
        f"CPU ms per request with two replicas: {parts}; at that cost the {cores} cores allow"
        f" at most {ceilings['one']:.0f} req/s with one replica and {ceilings['two']:.0f}"
        f" with two (x{ceilings['two'] / ceilings['one']:.2f}). During the two-replica runs"
        f" the machine was {sum(used.values()) / cores:.0%} busy, other processes using"
        f" {used['other processes']:.2f} cores"
    )


def _summary(series: dict[str, Series], *, reps: int, duration_s: float) -> dict[str, Any]:
    one, two = series["one"].as_json(), series["two"].as_json()
    ratio = two["rps_median"] / one["rps_median"] if one["rps_median"] else None
    ceilings = _ceilings(one, two)
    return {
        "mix": MIX_WEIGHTS,
        "connections": CONNECTIONS,
        "duration_s": duration_s,
        "reps": reps,
        "one_replica": one,
        "two_replicas": two,
        "two_over_one": round(ratio, 2) if ratio is not None else None,
        "ceiling_rps": ceilings,
        "bound": _bound(two, ceilings),
        "nginx_config": str(replicas_nginx.SITE.relative_to(replicas_nginx.ROOT)),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


__all__ = ["run"]
