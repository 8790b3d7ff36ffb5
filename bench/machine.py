"""What the figures were measured on: the machine, the software and PostgreSQL's settings."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

PG_SETTINGS = (
    "server_version",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "max_connections",
    "synchronous_commit",
    "fsync",
    "wal_level",
    "jit",
    "random_page_cost",
    "plan_cache_mode",
)
PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "sqlalchemy",
    "asyncpg",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "orjson",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _tool_version(*command: str) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else None


def _source() -> str:
    """The commit measured, and whether the work tree differed from it."""
    root = Path(__file__).absolute().parent.parent
    head = _tool_version("git", "-C", str(root), "rev-parse", "--short", "HEAD")
    if head is None or "fatal" in head:
        return "not a git work tree (a snapshot)"
    dirty = _tool_version("git", "-C", str(root), "status", "--porcelain", "--untracked-files=no")
    return head + (" with uncommitted changes" if dirty else "")


async def describe(dsn: str) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
            list(PG_SETTINGS),
        )
    finally:
        await connection.close()
    settings = {
        row["name"]: row["setting"] + (f" ({row['unit']})" if row["unit"] else "") for row in rows
    }
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "source": _source(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "postgresql": settings,
        "load_generators": {
            "wrk": _tool_version("wrk", "-v"),
            "hey": "hey (Debian)" if _tool_version("which", "hey") else None,
        },
    }
