"""`python -m bench.fuzz`: the CI fuzz runs (tests/fuzz/), longer, over HTTP.

The demo organisation is seeded into a database of its own and served by uvicorn on loopback;
schemathesis sends every query and mutation as ADMIN (a real issuer's bearer token) and as an
anonymous caller, and fuzzes the REST operations of `/openapi.json`. The same checks as in CI:
no 5xx or INTERNAL_SERVER_ERROR, nothing past the execution timeout, responses that conform
to the schema; and more Hypothesis-drawn inputs through every mutation (a refusal returns no
object and writes nothing). Prints each schemathesis run's cases, time and findings; writes
them to bench/results/fuzz-<seed>.json. Exits non-zero when something failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).absolute().parent.parent
RESULTS = ROOT / "bench" / "results"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__)
    parser.add_argument(
        "--examples",
        type=int,
        default=40,
        help="cases per operation and caller (REST: ten times as many); CI uses 15",
    )
    parser.add_argument(
        "--inputs", type=int, default=30, help="drawn inputs per mutation; CI uses 10"
    )
    parser.add_argument(
        "--seconds", type=int, default=900, help="time cap of each run (ADMIN, anonymous, REST)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the runs' seed (CI uses 14)")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="through schemathesis' ASGI transport, as CI does, instead of uvicorn",
    )
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, e.g. -k admin")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]], float]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = RESULTS / f"fuzz-{args.seed}.json"
    report.unlink(missing_ok=True)
    env = {
        **os.environ,
        "CATALOG_FUZZ_EXAMPLES": str(args.examples),
        "CATALOG_FUZZ_INPUTS": str(args.inputs),
        "CATALOG_FUZZ_SECONDS": str(args.seconds),
        "CATALOG_FUZZ_SEED": str(args.seed),
        "CATALOG_FUZZ_HTTP": "0" if args.in_process else "1",
        "CATALOG_FUZZ_REPORT": str(report),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--no-header",
        "-rfE",
        f"--hypothesis-seed={args.seed}",
        "tests/fuzz/",
        *args.pytest_args,
    ]
    started = time.monotonic()
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    elapsed = time.monotonic() - started
    runs: list[dict[str, Any]] = json.loads(report.read_text()) if report.exists() else []
    return status, runs, elapsed


def summary(runs: list[dict[str, Any]], elapsed: float, seed: int) -> str:
    lines = [f"fuzz seed {seed}: {sum(r['cases'] for r in runs)} cases in {elapsed:.0f} s"]
    for result in runs:
        lines.append(
            f"  {result['run']}: {result['cases']} cases over {result['operations']} operations "
            f"in {result['seconds']} s; {len(result['failures'])} failing operations"
            + (f", {len(result['skipped'])} skipped by the time cap" if result["skipped"] else "")
        )
        outcomes = ", ".join(f"{key} x{count}" for key, count in result["outcomes"].items())
        lines.append(f"    outcomes: {outcomes}")
        for operation, failure in result["failures"].items():
            lines.append(f"    FAILED {operation}: {failure}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    status, runs, elapsed = run(args)
    print(summary(runs, elapsed, args.seed), flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
