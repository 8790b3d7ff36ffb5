"""CPU time per group of processes, and the whole machine's, read from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float | None:
    """User + system CPU seconds of `pid` so far; None once it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (2nd field) may hold spaces: count fields after its closing paren.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime (fields 14, 15)


def machine_seconds() -> tuple[float, float]:
    """CPU seconds all cores spent on anything but idling or waiting for I/O, and of those
    the kernel's interrupt handling (loopback networking is mostly softirq), which no
    process is charged for."""
    first = (PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    busy = (user + nice + system + irq + softirq + steal) * TICK_S
    return busy, (irq + softirq) * TICK_S


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backends serving `database` (its name is in their process title)."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"postgres: ") and f" {database} ".encode() in command:
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds so far: of each watched process, of the machine, and of this process's
    waited-for children (a load generator run with subprocess.run, once it has exited)."""

    per_process: dict[int, float]
    machine_busy: float
    interrupts: float
    children: float

    @staticmethod
    def take(pids: Iterable[int]) -> Snapshot:
        per_process = {}
        for pid in pids:
            seconds = process_seconds(pid)
            if seconds is not None:
                per_process[pid] = seconds
        own = os.times()
        busy, interrupts = machine_seconds()
        return Snapshot(per_process, busy, interrupts, own.children_user + own.children_system)


def cores_used(
    before: Snapshot, after: Snapshot, groups: dict[str, list[int]], seconds: float, *, child: str
) -> dict[str, float]:
    """Cores each group used on average (1.0 = one core all along); `child` names the waited
    children, "interrupts" the kernel's interrupt handling; what the machine did besides is
    "other processes"."""
    used = {
        name: sum(
            after.per_process.get(pid, 0.0) - before.per_process.get(pid, 0.0) for pid in pids
        )
        for name, pids in groups.items()
    }
    used[child] = after.children - before.children
    used["interrupts"] = after.interrupts - before.interrupts
    busy = after.machine_busy - before.machine_busy
    used["other processes"] = max(0.0, busy - sum(used.values()))
    return {name: value / seconds for name, value in used.items()}
