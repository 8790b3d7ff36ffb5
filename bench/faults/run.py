"""The fault run from start to report: `python -m bench.faults [--duration S]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bench.faults import checks, clients, setup
from bench.faults.cluster import Cluster
from bench.faults.journal import Journal
from bench.faults.receiver import Receiver
from bench.faults.report import markdown, write
from bench.faults.salesforce import FakeOrgs
from bench.faults.schedule import Happened, drive
from bench.faults.stack import CACHE_TTL_S, Stack, settings_env
from bench.seed import build_template, seed
from core.settings import load_settings

CATALOG_SIZE = 500
GATEWAY_DEADLINE_S = 5.0  # CATALOG_SALESFORCE_TIMEOUT_S's default: "slow" sleeps past it
DRAIN_S = 180.0  # a delivery whose outcome was lost is sent again once its lease (2 min) ends
READERS = 2


@dataclass(frozen=True)
class Options:
    duration_s: float
    through_pgbouncer: bool = False
    drain_s: float = DRAIN_S


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--drain", type=float, default=DRAIN_S, help="seconds to await deliveries")
    parser.add_argument(
        "--through-pgbouncer",
        action="store_true",
        help="the API and the worker reach PostgreSQL through PgBouncer (bench/pgbouncer.py)",
    )
    args = parser.parse_args(argv)
    return Options(args.duration, args.through_pgbouncer, args.drain)


@contextlib.contextmanager
def _database_env(url: str, options: Options) -> Iterator[dict[str, str]]:
    """How the API and the worker reach the database: directly, or through PgBouncer in
    transaction mode (LISTEN connections and migrations still direct)."""
    if not options.through_pgbouncer:
        yield {"CATALOG_DATABASE_URL": url}
        return
    from bench.pgbouncer import pgbouncer

    with pgbouncer(url) as pooled:
        yield {
            "CATALOG_DATABASE_URL": pooled,
            "CATALOG_DATABASE_POOLER": "pgbouncer-transaction",
            "CATALOG_DATABASE_DIRECT_URL": url,
        }


async def _load(
    stack_url: str, options: Options, journal: Journal, cluster: Cluster, orgs: FakeOrgs
) -> list[Happened]:
    target = setup.target(stack_url)
    stop = asyncio.Event()
    journal.started_at = time.monotonic()
    tasks = [
        asyncio.create_task(clients.reader(target, journal, stop, seed)) for seed in range(READERS)
    ]
    tasks += [
        asyncio.create_task(clients.probe(target, journal, stop)),
        asyncio.create_task(clients.feedback(target, journal, stop, 11)),
        asyncio.create_task(clients.transitions(target, journal, stop, 12)),
        asyncio.create_task(clients.incidents(target, journal, stop, 13)),
    ]
    happened = await drive(options.duration_s, journal, cluster, orgs)
    await asyncio.sleep(max(0.0, options.duration_s - journal.now()))
    stop.set()
    # A client's request in flight ends within its timeout; one still busy after it is stuck.
    _, stuck = await asyncio.wait(tasks, timeout=clients.CLIENT_TIMEOUT_S + 5)
    for task in stuck:
        task.cancel()
    journal.stuck_clients = len(stuck)
    return happened


async def _drain(dsn: str, channel_id: str, drain_s: float) -> float:
    """Wait until the channel has nothing left to send (or `drain_s`); the seconds waited."""
    started = time.monotonic()
    key = checks.uuid_of(channel_id)
    while time.monotonic() - started < drain_s:
        connection = await asyncpg.connect(dsn)
        try:
            due = await connection.fetchval(
                "SELECT count(*) FROM notification_delivery WHERE channel_id = $1"
                " AND status <> 'DELIVERED'",
                key,
            )
        finally:
            await connection.close()
        if due == 0:
            await asyncio.sleep(2)  # a late duplicate would arrive now
            break
        await asyncio.sleep(1)
    return time.monotonic() - started


@contextlib.contextmanager
def _running(options: Options) -> Iterator[tuple[Cluster, str, FakeOrgs, Receiver, Stack]]:
    with Cluster() as cluster:
        log(f"PostgreSQL {cluster.port}: migrating and seeding the {CATALOG_SIZE} catalog")
        asyncio.run(build_template(cluster.url))
        seeded = asyncio.run(seed(cluster.url, CATALOG_SIZE, now=datetime.now(UTC)))
        with (
            FakeOrgs(cluster.directory, slow_s=GATEWAY_DEADLINE_S + 3) as orgs,
            Receiver() as receiver,
        ):
            asyncio.run(orgs.load(seeded.url))
            with _database_env(seeded.url, options) as database:
                env = settings_env(database, cluster.directory / "catalog", orgs.settings_env())
                with Stack(env) as stack:
                    yield cluster, seeded.url, orgs, receiver, stack


def run(options: Options) -> dict[str, Any]:
    started = time.monotonic()
    journal = Journal()
    with _running(options) as (cluster, dsn, orgs, receiver, stack):
        channel = setup.webhook_channel(stack.url, receiver.url)
        log(f"load for {options.duration_s:g} s against {stack.url}")
        happened = asyncio.run(_load(stack.url, options, journal, cluster, orgs))
        log("load over; awaiting the deliveries")
        drained = asyncio.run(_drain(dsn, channel, options.drain_s))
        found = asyncio.run(_checks(dsn, channel, receiver, journal, happened))
        alive = {"api": stack.api_alive(), "worker": stack.worker_alive()}
    found.append(
        checks.Check(
            "every client finished within its timeout of the end",
            journal.stuck_clients == 0,
            {"stuck": journal.stuck_clients},
        )
    )
    found.append(
        checks.Check(
            "the API and the worker ran throughout (never restarted)", all(alive.values()), alive
        )
    )
    return {
        "command": f"python -m bench --only faults --duration {options.duration_s:g}"
        + (" --through-pgbouncer" if options.through_pgbouncer else ""),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": options.duration_s,
        "through_pgbouncer": options.through_pgbouncer,
        "catalog_size": CATALOG_SIZE,
        "faults": [vars(fault) for fault in happened],
        "checks": [check.as_json() for check in found],
        "errors_by_phase": checks.errors_by_phase(journal.outcomes, happened),
        "failures": checks.failure_examples(journal.outcomes, happened),
        "requests_by_kind": _by_kind(journal),
        "drain_s": round(drained, 1),
        "wall_s": round(time.monotonic() - started, 1),
        "passed": all(check.passed for check in found),
    }


def _by_kind(journal: Journal) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in journal.outcomes:
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
    return counts


async def _checks(
    dsn: str, channel: str, receiver: Receiver, journal: Journal, happened: list[Happened]
) -> list[checks.Check]:
    timeout_s = load_settings().execution_timeout_s
    connection = await asyncpg.connect(dsn)
    try:
        found = await checks.writes(connection, journal)
        found.append(await checks.deliveries(connection, channel, receiver.received, journal))
    finally:
        await connection.close()
    found.append(checks.latency(journal.outcomes, timeout_s))
    found += checks.recovery(journal.outcomes, happened)
    found += checks.salesforce(journal, happened, grace_s=CACHE_TTL_S + 1)
    return found


def main(argv: list[str] | None = None) -> None:
    run_and_report(parse(argv))


def run_and_report(options: Options) -> None:
    """Run, print and write the figures; exit non-zero when a check failed."""
    # SIGTERM unwinds like Ctrl-C: the cluster, the servers and PgBouncer are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results = run(options)
    json_path, md_path = write(results)
    print(markdown(results))
    log(f"wrote {json_path} and {md_path}")
    if not results["passed"]:
        failed = [check["name"] for check in results["checks"] if not check["passed"]]
        raise SystemExit(f"fault run checks failed: {'; '.join(failed)}")
