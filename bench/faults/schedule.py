"""When each fault happens, as a fraction of the run, and the driver that makes it happen.

PostgreSQL is restarted twice (`-m fast`, then `-m immediate`: a crash, recovered from
WAL); the fake Salesforce goes slow, healthy, failing (503), down (refused) and healthy
again, each failing spell followed by time enough for the breaker (30 s) to close.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from bench.faults.cluster import Cluster
from bench.faults.journal import Journal
from bench.faults.salesforce import FakeOrgs, Weather


@dataclass(frozen=True)
class Fault:
    at: float  # fraction of the run
    name: str
    weather: Weather | None = None
    restart: str | None = None  # pg_ctl's shutdown mode


SCHEDULE: tuple[Fault, ...] = (
    Fault(0.10, "salesforce slow", weather=Weather.SLOW),
    Fault(0.22, "salesforce healthy", weather=Weather.HEALTHY),
    Fault(0.35, "postgres restart fast", restart="fast"),
    Fault(0.45, "salesforce failing", weather=Weather.FAILING),
    Fault(0.53, "salesforce down", weather=Weather.DOWN),
    Fault(0.60, "salesforce healthy", weather=Weather.HEALTHY),
    Fault(0.75, "postgres restart immediate", restart="immediate"),
)


@dataclass(frozen=True)
class Happened:
    """A fault as it happened: its start and end (seconds into the run); a restart's end is
    the moment PostgreSQL accepted connections again."""

    name: str
    started: float
    ended: float
    weather: Weather | None
    restart: str | None


async def drive(
    duration_s: float,
    journal: Journal,
    cluster: Cluster,
    orgs: FakeOrgs,
    schedule: Sequence[Fault] = SCHEDULE,
) -> list[Happened]:
    happened: list[Happened] = []
    for fault in schedule:
        await asyncio.sleep(max(0.0, fault.at * duration_s - journal.now()))
        started = journal.now()
        if fault.restart is not None:
            await asyncio.to_thread(cluster.restart, fault.restart)
        elif fault.weather is not None:
            await asyncio.to_thread(orgs.set, fault.weather)
        happened.append(Happened(fault.name, started, journal.now(), fault.weather, fault.restart))
    return happened


def phase_of(moment: float, happened: Sequence[Happened]) -> str:
    """The label of the stretch of the run a moment falls in: the last fault begun before it."""
    label = "0 start (healthy)"
    for number, fault in enumerate(happened, start=1):
        if fault.started <= moment:
            label = f"{number} {fault.name}"
    return label
