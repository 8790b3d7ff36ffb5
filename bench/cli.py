"""The one command: seed, check equality, measure, report."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import http_bench, inprocess, report
from bench.machine import describe
from bench.postgraphile import PeerUnavailable, PostGraphile
from bench.processes import ServerFailed
from bench.report import Target
from bench.seed import build_template, seed
from catalog.services.repository import ServiceFilter
from core.pagination import fingerprint

STAMP = fingerprint("NAME", False, repr(ServiceFilter()))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Config:
    server_url: str
    sizes: tuple[int, ...]
    reps: int
    target_s: float
    quick: bool
    duration_s: float
    stages: frozenset[str]


STAGES = ("inprocess", "http", "peer")


def parse(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~2 min)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
        help="a PostgreSQL server URL (its `postgres` database); sc_bench_* databases are made",
    )
    parser.add_argument("--sizes", help="catalog sizes, comma-separated (default 20,100,500,2000)")
    parser.add_argument("--reps", type=int, help="repetitions (default 7, quick 3)")
    parser.add_argument(
        "--only", help=f"comma-separated stages among {', '.join(STAGES)} (default all)"
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or ("20,500" if args.quick else "20,100,500,2000")
    stages = frozenset(args.only.split(",")) if args.only else frozenset(STAGES)
    return Config(
        server_url=args.server,
        sizes=tuple(sorted(int(size) for size in sizes.split(","))),
        reps=args.reps or (3 if args.quick else 7),
        target_s=0.08 if args.quick else 0.25,
        quick=args.quick,
        duration_s=1.0 if args.quick else 2.0,
        stages=stages,
    )


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def targets(results: dict[str, Any]) -> list[Target]:
    r1, r3 = results.get("R1", {}), results.get("R3", {})
    largest = max((key for key in r1 if key.isdigit()), key=int, default=None)
    key500 = "500" if "500" in r1 else largest
    found = [
        Target("R1 ≤ 8x at N=500", f"R1[{key500}]", r1.get(key500) if key500 else None, 8),
    ]
    walks = [value for key, value in r3.items() if key.isdigit() or key.startswith("page")]
    relations = r3.get("relations_selected")
    if walks and relations is not None:
        found.append(
            Target(
                "R3 = 1 + selected relations, constant in N",
                "R3 max over workloads",
                max(walks),
                1 + relations,
                note="constant" if len(set(walks)) == 1 else f"varies: {sorted(set(walks))}",
            )
        )
    return found


def _peer(database_url: str, notes: list[str]) -> PostGraphile | None:
    try:
        return PostGraphile(database_url, stamp=STAMP, log=log)
    except (PeerUnavailable, ServerFailed) as error:
        notes.append(f"PostGraphile not measured: {error}")
        log(f"PostGraphile not measured: {error}")
        return None


async def run(config: Config) -> dict[str, Any]:
    started = time.perf_counter()
    log(f"migrating the template, seeding catalogs of {', '.join(map(str, config.sizes))}")
    await build_template(config.server_url)
    now = datetime.now(UTC)
    databases = []
    for size in config.sizes:
        seeded = await seed(config.server_url, size, now=now)
        log(f"  sc_bench_n{size}: {sum(seeded.rows.values())} rows {seeded.rows}")
        if seeded.skipped:
            log(f"  capabilities skipped (tables missing): {seeded.skipped}")
        databases.append(inprocess.Database(size, seeded.url))
    results: dict[str, Any] = {
        "command": "python -m bench" + (" --quick" if config.quick else ""),
        "generated_at": now.isoformat(timespec="seconds"),
        "quick": config.quick,
        "reps": config.reps,
        "sizes": list(config.sizes),
        "machine": await describe(config.server_url),
        "raw": {},
        "notes": [],
    }
    if "inprocess" in config.stages:
        measured = await inprocess.run(
            databases, reps=config.reps, target_s=config.target_s, log=log
        )
        results.update(
            R1=measured.r1,
            R2=measured.r2,
            B_over_A=measured.b_over_a,
            R3=measured.r3,
            R3_overhead=measured.r3_overhead,
        )
        results["raw"]["w0_inprocess"] = measured.w0
        results["raw"]["w1"] = measured.w1
        results["noisy"] = measured.w0_noisy
        results["notes"].append(
            f"page 100 of the full selection: {measured.fields_per_page100} output fields;"
            f" API minus A = {measured.us_per_field} µs per field"
        )
    largest = max(databases, key=lambda database: database.size)
    if "http" in config.stages:
        peer = _peer(largest.url, results["notes"]) if "peer" in config.stages else None
        try:
            http = await http_bench.run(
                largest.url, reps=config.reps, duration_s=config.duration_s, log=log, peer=peer
            )
        finally:
            if peer is not None:
                peer.stop()
        results.update(R4=http.r4, R7=http.r7, PostGraphile=http.peer)
        results["http_rps"] = http.cells
        results["raw"]["w0_http"] = http.w0
        results["noisy"] = bool(results.get("noisy")) or http.noisy
    results["targets"] = [target.as_json() for target in targets(results)]
    results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> None:
    config = parse(argv)
    results = asyncio.run(run(config))
    json_path, md_path = report.write(results)
    print(report.markdown(results))
    log(f"wrote {json_path} and {md_path} in {results['duration_s']:.0f} s")
