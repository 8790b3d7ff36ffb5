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


def _stat(pid: int) -> tuple[int, list[str]] | None:
    """The parent pid and the fields after the command name, None once `pid` is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields


def _seconds(fields: list[str]) -> float:
    """utime + stime + cutime + cstime (fields 14-17): its own CPU and its waited children's."""
    return sum(int(value) for value in fields[11:15]) * TICK_S


def tree_seconds(roots: set[int]) -> float:
    """CPU seconds of these processes and every live descendant, exited children included."""
    parents: dict[int, int] = {}
    fields_of: dict[int, list[str]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                parents[int(entry.name)], fields_of[int(entry.name)] = found
    total = 0.0
    for pid, fields in fields_of.items():
        ancestor: int | None = pid
        while ancestor is not None and ancestor not in roots:
            ancestor = parents.get(ancestor)
        if ancestor is not None:
            total += _seconds(fields)
    return total


def _postmasters() -> set[int]:
    """PostgreSQL's postmaster processes: `postgres` processes whose parent is not one."""
    commands = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                commands[int(entry.name)] = (entry / "comm").read_text().strip()
            except OSError:
                continue
    roots = set()
    for pid, command in commands.items():
        found = _stat(pid) if command == "postgres" else None
        if found is not None and commands.get(found[0]) != "postgres":
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
        ours = tree_seconds({os.getpid()} | _postmasters())
        return CpuShare(time.monotonic(), busy, ours)

    def others_since(self, start: CpuShare) -> float:
        """The share of the machine's CPU (1.0 = every core all along) other processes took."""
        capacity = (self.at - start.at) * (os.cpu_count() or 1)
        others = (self.busy - start.busy) - (self.ours - start.ours)
        return max(0.0, others) / capacity if capacity > 0 else 0.0
