"""The fault run's figures as `bench/results/latest-faults.{json,md}`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.report import RESULTS

NAME = "latest-faults"


def _figures(figures: dict[str, Any]) -> str:
    return "; ".join(f"{key} {json.dumps(value)}" for key, value in figures.items())


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Fault run",
        "",
        f"`{results['command']}` — {results['generated_at']}, catalog of"
        f" {results['catalog_size']}, {results['wall_s']:.0f} s in all"
        + (", through PgBouncer" if results["through_pgbouncer"] else ""),
        "",
        f"**{'PASSED' if results['passed'] else 'FAILED'}**",
        "",
        "## Checks",
        "",
        "| check | | figures |",
        "|---|---|---|",
    ]
    for check in results["checks"]:
        verdict = "pass" if check["passed"] else "**FAIL**"
        lines.append(f"| {check['name']} | {verdict} | {_figures(check['figures'])} |")
    lines += ["", "## Faults", "", "| fault | began (s) | ended (s) |", "|---|---|---|"]
    for fault in results["faults"]:
        lines.append(f"| {fault['name']} | {fault['started']:.1f} | {fault['ended']:.1f} |")
    lines += ["", "## Requests and errors by phase", "", "| phase | counts |", "|---|---|"]
    for phase, counts in results["errors_by_phase"].items():
        lines.append(f"| {phase} | {_figures(counts)} |")
    lines += ["", f"Requests by kind: {_figures(results['requests_by_kind'])}.", ""]
    lines += ["## Failures (Salesforce's excepted)", "", "count x phase / kind / how: why", ""]
    lines += [f"- {line}" for line in results["failures"]] + [""]
    return "\n".join(lines)


def write(results: dict[str, Any]) -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    json_path, md_path = RESULTS / f"{NAME}.json", RESULTS / f"{NAME}.md"
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
