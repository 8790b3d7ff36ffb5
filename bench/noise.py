"""Whether other processes shared the machine during a run: the CPU they took, from /proc.

The load average at the end of a run counts the bench's own load (its HTTP, mix and replicas
stages keep both cores busy), so it flagged every full run. What disturbs the figures is
everything else: the machine's busy CPU time less this process and its children (servers,
load generators) and PostgreSQL (the postmaster and its backends, live or exited). The
kernel's interrupt handling counts as busy time and is charged to the process it
interrupted: loopback networking run in our processes' context is ours, what interrupted an
idle core counts as another process's (a slight overestimate, never an underestimate).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from bench.replicas_cpu import PROC, TICK_S, machine_seconds

# Another process taking more than this share of the machine's CPU makes the run noisy.
OTHERS_LIMIT = 0.10


@dataclass(frozen=True)
class _Process:
    parent: int
    command: str
    # utime + stime + cutime + cstime (fields 14-17): its own CPU and its waited children's.
    seconds: float


def _processes() -> dict[int, _Process]:
    """Every live process, read once from its /proc/<pid>/stat."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = entry.joinpath("stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name is in parentheses and may hold spaces.
        head, tail = stat.rsplit(")", 1)
        fields = tail.split()
        seconds = sum(int(value) for value in fields[11:15]) * TICK_S
        found[int(entry.name)] = _Process(int(fields[1]), head.split("(", 1)[1], seconds)
    return found


def tree_seconds(roots: set[int], processes: dict[int, _Process] | None = None) -> float:
    """CPU seconds of these processes and every live descendant, exited children included."""
    processes = _processes() if processes is None else processes
    total = 0.0
    for pid, process in processes.items():
        ancestor: int | None = pid
        while ancestor is not None and ancestor not in roots:
            above = processes.get(ancestor)
            ancestor = above.parent if above is not None else None
        if ancestor is not None:
            total += process.seconds
    return total


def _postmasters(processes: dict[int, _Process]) -> set[int]:
    """PostgreSQL's postmaster processes: `postgres` processes whose parent is not one."""
    roots = set()
    for pid, process in processes.items():
        parent = processes.get(process.parent)
        if process.command == "postgres" and (parent is None or parent.command != "postgres"):
            roots.add(pid)
    return roots


@dataclass(frozen=True)
class CpuShare:
    """CPU seconds so far: the machine's and the run's own."""

    at: float
    busy: float
    ours: float

    @staticmethod
    def take() -> CpuShare | None:
        if not (PROC / "stat").exists():
            return None  # not Linux: nothing to tell
        busy, _ = machine_seconds()
        processes = _processes()
        ours = tree_seconds({os.getpid()} | _postmasters(processes), processes)
        return CpuShare(time.monotonic(), busy, ours)

    def others_since(self, start: CpuShare) -> float:
        """The share of the machine's CPU (1.0 = every core all along) other processes took."""
        capacity = (self.at - start.at) * (os.cpu_count() or 1)
        others = (self.busy - start.busy) - (self.ours - start.ours)
        return max(0.0, others) / capacity if capacity > 0 else 0.0
